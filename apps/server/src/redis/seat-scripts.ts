/**
 * The Lua scripts of the Redis seat store, kept as string constants so the build
 * needs no copying of asset files. ioredis `defineCommand` loads each once and calls
 * it by SHA, falling back to EVAL when Redis answers NOSCRIPT (after a restart).
 *
 * The seat rules themselves are written once, in seats/seat-rules.ts; the scripts mirror
 * them (capacity = seats + overage passed in, live while now < exp, a seat is taken when
 * the basis key holds one or fewer than capacity are live, lease end = max(now + ttl,
 * borrowed until)), and test/seats/seat-scenarios.ts runs one table against both.
 *
 * Rules every script follows:
 * - Time is read once, from Redis `TIME` (one clock for every replica). ARGV[1] may
 *   carry a time in milliseconds instead: only tests set it, to drive a manual clock.
 * - KEYS[1] is the license's epoch key. When it is missing, Redis lost its data (or
 *   never had this license): the script changes nothing and answers REBUILD.
 * - Every check comes before the first write: Redis does not roll a script back.
 *
 * Keys of one license share the hash tag `{lic_…}`, so they sit in one slot (Redis
 * Cluster). With B = `<prefix>{lic_…}:v2:` (the layout's version: seats/redis-seat-keys.ts):
 *   B epoch        string, present once the license's seat state was loaded; every
 *                  seat script answers it third, for the PostgreSQL fence (seat_epochs)
 *   B seats        ZSET basis key → latest expiry (ms) of its sessions
 *   B b:<basis>    ZSET session ID → expiry (ms), the sessions sharing a machine or user
 *                  seat. A session-basis seat `s:<session>` (seat-terms.ts) is its one
 *                  session's own and has none: its entry in B seats names the session.
 *   B ss           HASH session ID → the session's record, packed (SESSION_RECORD)
 *   B i:<key>      string idempotency key → session ID
 *   B rebuild      string, the lock of whoever is loading the license from PostgreSQL
 *
 * Memory: a key costs Redis ~100 bytes before its value (object, name, dictionary and
 * expiry entries), so a session owns no key. It is one field of B ss (~290 bytes with its
 * dictionary entry and ID, a packed value of ~215 bytes in jemalloc's 224-byte class; one
 * past 252 bytes would take 320) and, on a session-basis seat, one entry of B seats
 * (~140 bytes). Nothing expires by itself
 * either: a session is kept for the retention after its lease ran out (as an expiring
 * key once was), read as gone after that, and removed by the scripts that write: the
 * oldest seats past it a few at a time (PURGE), found by their scores in B seats.
 */

/**
 * One session's record: cmsgpack values by position, without field names.
 *   sh    the session secret's SHA-256, its 32 raw bytes (the server stores them so; the scripts
 *         that check a secret take its hex digest: a binary argument costs ioredis a copy)
 *   bk    the basis key, '' when it is `s:<session>`
 *   fp, uid, host, idem   fingerprint, user ID, hostname, idempotency key ('' for none)
 *   st    started, as st − the time in the session ID (@leasehold/protocol ids: ms in its first
 *         ten base-32 characters after 'ses_'; any ID gives some number, the same both ways);
 *         then the last heartbeat as lhb − st and the lease end as exp − lhb
 *   bor   borrowed until (ms, 0 for none)
 *   ren   when the stored token is due for renewal, as ren − lhb ('' for none)
 *   pgx   the expiry PostgreSQL is known to hold (confirmed after its write), as pgx − exp;
 *   pgv   the heartbeat time that confirmation came from, as pgv − lhb ('' for none)
 *   tok   the stored lease token, its digest and signature as raw bytes (redisLeaseToken in
 *         tokens/stored-lease-token.ts, ~120 bytes); HEARTBEAT answers it so, as bytes
 * Differences fit msgpack's 1-, 3- or 5-byte integers where a time takes 9. Scripts declare
 * SESSIONS (the key of B ss) before it.
 */
const SESSION_RECORD = `
-- A raw digest as hex: for answers, and to check a secret against the hex digest the server sends.
local function hex(r) return string.format(string.rep('%02x', #r), string.byte(r, 1, -1)) end
-- The time a session ID was made at: its characters 5 to 14 in base 32 ('0'-'9', then the
-- letters without i, l, o and u).
local function id_time(sid)
  local t = 0
  for _, b in ipairs({string.byte(sid, 5, 14)}) do
    local v = b - 48
    if b > 96 then v = b - 87 - (b > 105 and 1 or 0) - (b > 108 and 1 or 0) - (b > 111 and 1 or 0) - (b > 117 and 1 or 0) end
    t = t * 32 + v
  end
  return t
end
local function num(v) if v == nil or v == '' then return '' end return tonumber(v) end
local function minus(t, from) if t == '' then return '' end return t - from end
local function plus(d, to) if d == '' then return '' end return to + d end
-- The seat 's:<session>' is that one session's own: it has no b: zset.
local function own(bk) return string.sub(bk, 1, 2) == 's:' end
local function unpack_session(sid, v)
  local sh, bk, fp, uid, host, idem, st, lhb, exp, bor, ren, pgx, pgv, tok = cmsgpack.unpack(v)
  local made = id_time(sid)
  st = made + st
  lhb = st + lhb
  exp = lhb + exp
  if bk == '' then bk = 's:' .. sid end
  return {sh = sh, bk = bk, fp = fp, uid = uid, host = host, idem = idem, st = st, lhb = lhb, exp = exp, bor = bor,
    ren = plus(ren, lhb), pgx = plus(pgx, exp), pgv = plus(pgv, lhb), tok = tok, made = made}
end
local function read_session(sid)
  local v = redis.call('HGET', SESSIONS, sid)
  if v then return unpack_session(sid, v) end
  return nil
end
local function write_session(sid, s)
  local bk = s.bk
  if bk == 's:' .. sid then bk = '' end
  redis.call('HSET', SESSIONS, sid, cmsgpack.pack(s.sh, bk, s.fp, s.uid, s.host, s.idem, s.st - (s.made or id_time(sid)), s.lhb - s.st, s.exp - s.lhb,
    s.bor, minus(s.ren, s.lhb), minus(s.pgx, s.exp), minus(s.pgv, s.lhb), s.tok))
end
`;

/** Seats past the retention purged per acquire or heartbeat, and per reap call. */
const PURGE = 4;
const REAP_PURGE = 100;

const COMMON = `
local base = ARGV[2]
local SESSIONS = base .. 'ss'
${SESSION_RECORD}
local function clock()
  if ARGV[1] ~= '' then return tonumber(ARGV[1]) end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local now = clock()
local function after(t) return '(' .. string.format('%.0f', t) end
local function live_count() return redis.call('ZCOUNT', KEYS[2], after(now), '+inf') end
-- A session is kept until its lease plus the retention ran out; after that it is gone.
local function read_kept(sid, retention)
  local s = read_session(sid)
  if s and s.exp + retention >= now then return s end
  return nil
end
-- The live sessions of a live seat.
local function live_sessions(bk)
  if own(bk) then return {string.sub(bk, 3)} end
  return redis.call('ZRANGEBYSCORE', base .. 'b:' .. bk, after(now), '+inf')
end
local function seat_score(bk)
  local top = redis.call('ZREVRANGE', base .. 'b:' .. bk, 0, 0, 'WITHSCORES')
  if #top == 0 then redis.call('ZREM', KEYS[2], bk) else redis.call('ZADD', KEYS[2], top[2], bk) end
end
local function forget(sid, s)
  if s.idem ~= '' and redis.call('GET', base .. 'i:' .. s.idem) == sid then redis.call('DEL', base .. 'i:' .. s.idem) end
  redis.call('HDEL', SESSIONS, sid)
end
local function remove_session(sid, s)
  forget(sid, s)
  if own(s.bk) then
    redis.call('ZREM', KEYS[2], s.bk)
  else
    redis.call('ZREM', base .. 'b:' .. s.bk, sid)
    seat_score(s.bk)
  end
end
-- Writes session s back, and its seat's score. old_exp: its expiry before, when known: a
-- lease that only grew raises a shared seat's score to at least exp (ZADD GT), one call
-- instead of reading the seat's sessions.
local function keep(sid, s, retention, old_exp)
  write_session(sid, s)
  if own(s.bk) then
    redis.call('ZADD', KEYS[2], s.exp, s.bk)
  else
    redis.call('ZADD', base .. 'b:' .. s.bk, s.exp, sid)
    if old_exp and s.exp >= old_exp then redis.call('ZADD', KEYS[2], 'GT', s.exp, s.bk) else seat_score(s.bk) end
  end
  if s.idem ~= '' then redis.call('PEXPIRE', base .. 'i:' .. s.idem, s.exp - now + retention) end
end
-- Forgets the sessions of up to limit seats whose every session is past its lease and the
-- retention, the oldest first; and such sessions of the shared seat \`kept\` (one about to be written).
local function purge(retention, limit, kept)
  local edge = after(now - retention)
  for _, bk in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', edge, 'LIMIT', 0, limit)) do
    local sids = {string.sub(bk, 3)}
    if not own(bk) then sids = redis.call('ZRANGE', base .. 'b:' .. bk, 0, -1) end
    for _, sid in ipairs(sids) do
      local s = read_session(sid)
      if s then forget(sid, s) end
    end
    if not own(bk) then redis.call('DEL', base .. 'b:' .. bk) end
    redis.call('ZREM', KEYS[2], bk)
  end
  if kept and not own(kept) then
    local key = base .. 'b:' .. kept
    for _, sid in ipairs(redis.call('ZRANGEBYSCORE', key, '-inf', edge, 'LIMIT', 0, limit)) do
      local s = read_session(sid)
      if s then forget(sid, s) end
      redis.call('ZREM', key, sid)
    end
  end
end
local function next_free()
  local first = redis.call('ZRANGEBYSCORE', KEYS[2], after(now), '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
  if #first == 0 then return 0 end
  return tonumber(first[2])
end
local epoch = redis.call('GET', KEYS[1])
if not epoch then return {'REBUILD', now} end
`;

/**
 * Takes a seat for a new session, re-admits a session Redis does not know (mode
 * `readmit`), or returns the live session of a repeated idempotency key.
 * ARGV: now, base, sessionId, basisKey, fingerprint, userId, secretHash, capacity,
 * ttlMs, licenseExpiresAtMs (0: none), retentionMs, idempotencyKey, hostname,
 * borrowedUntilMs, startedAtMs (0: now), token, renewAtMs, mode, expiry PostgreSQL holds ('' : the new one).
 */
export const ACQUIRE = `${COMMON}
local sid, bk, fp = ARGV[3], ARGV[4], ARGV[5]
local capacity, ttl, lic_exp, retention = tonumber(ARGV[8]), tonumber(ARGV[9]), tonumber(ARGV[10]), tonumber(ARGV[11])
local idem, mode = ARGV[12], ARGV[18]
if lic_exp > 0 and lic_exp <= now then return {'LICENSE_EXPIRED', now, epoch} end
if idem ~= '' then
  local earlier = redis.call('GET', base .. 'i:' .. idem)
  if earlier then
    local e = read_kept(earlier, retention)
    if e then
      if e.fp ~= fp then return {'CONFLICT', now, epoch} end
      if e.exp > now then
        -- The secret it replaced goes back with the answer, for the server to restore should PostgreSQL not take the new one.
        local replaced = e.sh
        -- pgx stays: PostgreSQL has the new expiry only once the server confirms its write.
        e.sh, e.exp, e.lhb = ARGV[7], math.max(now + ttl, e.bor), now
        keep(earlier, e, retention)
        return {'REUSED', now, epoch, earlier, e.exp, live_count(), e.uid, e.st, e.bor, hex(replaced)}
      end
    end
  end
end
if mode == 'readmit' and read_kept(sid, retention) then return {'EXISTS', now, epoch} end
local used = live_count()
local mine_score = redis.call('ZSCORE', KEYS[2], bk)
local mine = mine_score and tonumber(mine_score) > now
-- Over capacity (a rebuild counts every session PostgreSQL cannot prove ended), a seat may be
-- one nobody holds any more: joining it would make it held again. Refused (seat-rules.ts).
if (not mine and used >= capacity) or (mine and used > capacity) then
  local rows = redis.call('ZRANGEBYSCORE', KEYS[2], after(now), '+inf', 'WITHSCORES', 'LIMIT', 0, 10)
  local holders = {}
  for i = 1, #rows, 2 do
    local host, uid, since = '', '', ''
    for _, other in ipairs(live_sessions(rows[i])) do
      local h = read_session(other)
      if h then
        if h.host > host then host = h.host end
        if h.uid > uid then uid = h.uid end
        if since == '' or h.st < since then since = h.st end
      end
    end
    holders[#holders + 1] = {host, uid, since, rows[i + 1]}
  end
  return {'NO_SEAT', now, epoch, used, holders}
end
local bor = tonumber(ARGV[14])
local exp = math.max(now + ttl, bor)
local started = tonumber(ARGV[15])
if started == 0 then started = now end
-- A new session's row will hold exp (or never exist); a re-admitted one's holds ARGV[19] until confirmed.
local pgx = exp
if ARGV[19] and ARGV[19] ~= '' then pgx = tonumber(ARGV[19]) end
purge(retention, ${PURGE}, bk)
-- keep() gives the idempotency key its expiry.
if idem ~= '' then redis.call('SET', base .. 'i:' .. idem, sid) end
keep(sid, {sh = ARGV[7], bk = bk, fp = fp, uid = ARGV[6], host = ARGV[13], idem = idem, st = started, lhb = now,
  exp = exp, bor = bor, ren = num(ARGV[17]), pgx = pgx, pgv = '', tok = ARGV[16]}, retention)
local seats_used = used
if not mine then seats_used = used + 1 end
return {'GRANTED', now, epoch, exp, seats_used, mine and 1 or 0}
`;

/**
 * Renews a lease. A lapsed session takes a seat again when its seat is still its
 * own or one is free; otherwise it is removed and the answer is EXPIRED.
 * The last element of RENEWED says whether PostgreSQL needs a copy of the new expiry:
 * 0 no; 1 in the background, once its confirmed copy (pgx) has less than half
 * a lease left or a new token is due; 2 before the answer, when pgx is no longer
 * ahead of now. So every promised lease ends by pgx + ttl (docs/design/seat-invariant.md).
 * ARGV: now, base, sessionId, secretHash, capacity, ttlMs, licenseExpiresAtMs, retentionMs.
 */
export const HEARTBEAT = `${COMMON}
local sid, capacity, ttl, lic_exp, retention = ARGV[3], tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
local s = read_kept(sid, retention)
if not s or hex(s.sh) ~= ARGV[4] then return {'NOT_FOUND', now, epoch} end
local exp, bk, bor = s.exp, s.bk, s.bor
if lic_exp > 0 and lic_exp <= now then
  remove_session(sid, s)
  return {'LICENSE_EXPIRED', now, epoch, exp}
end
local lapsed = exp <= now
if lapsed then
  local others = {}
  if not own(bk) then others = redis.call('ZRANGEBYSCORE', base .. 'b:' .. bk, after(now), '+inf', 'LIMIT', 0, 1) end
  local used = live_count()
  if (#others == 0 and used >= capacity) or (#others > 0 and used > capacity) then
    remove_session(sid, s)
    return {'EXPIRED', now, epoch, exp, used, next_free()}
  end
end
local new_exp = math.max(now + ttl, bor)
-- The server signs a new token when this one is due: that token goes to PostgreSQL too.
local renew = s.tok == '' or s.ren == '' or s.ren <= now
-- pgx is what PostgreSQL is known to hold (set once a write is confirmed). A lease
-- promised now ends by pgx + ttl as long as pgx is still ahead: then a copy may
-- follow in the background (2 = write it before answering).
local pgx = s.pgx
local copy = 0
if lapsed or pgx == '' or pgx <= now then copy = 2
elseif renew or pgx - now < ttl / 2 or pgx > new_exp then copy = 1 end
s.exp, s.lhb = new_exp, now
purge(retention, ${PURGE}, bk)
keep(sid, s, retention, exp)
return {'RENEWED', now, epoch, new_exp, lapsed and 1 or 0, s.tok, s.ren, s.st, s.uid, s.fp, bor, exp, copy}
`;

/**
 * Checks a live session out until now + duration (capped by the license's expiry).
 * ARGV: now, base, sessionId, secretHash, durationMs, maxBorrowMs, ttlMs, licenseExpiresAtMs, retentionMs.
 */
export const BORROW = `${COMMON}
local sid, duration, max_borrow = ARGV[3], tonumber(ARGV[5]), tonumber(ARGV[6])
local ttl, lic_exp, retention = tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9])
local s = read_kept(sid, retention)
if not s or hex(s.sh) ~= ARGV[4] then return {'NOT_FOUND', now, epoch} end
if lic_exp > 0 and lic_exp <= now then return {'LICENSE_EXPIRED', now, epoch} end
if s.exp <= now then return {'EXPIRED', now, epoch} end
if duration > max_borrow then return {'BORROW_REFUSED', now, epoch} end
local borrowed = now + duration
local exp = math.max(now + ttl, borrowed)
if lic_exp > 0 and lic_exp < exp then exp = lic_exp end
local till = math.min(exp, borrowed)
s.exp, s.bor, s.lhb = exp, till, now
keep(sid, s, retention)
return {'BORROWED', now, epoch, exp, till, s.st, s.uid, s.fp}
`;

/**
 * Ends a session: release, force-release, a refused license, or undoing a grant that
 * PostgreSQL did not record. ARGV: now, base, sessionId, secretHash ('' to skip the
 * check), requireLive ('1': an expired session answers NOT_FOUND), retentionMs.
 */
export const END = `${COMMON}
local sid = ARGV[3]
local s = read_kept(sid, tonumber(ARGV[6]))
if not s then return {'NOT_FOUND', now, epoch} end
if ARGV[4] ~= '' and hex(s.sh) ~= ARGV[4] then return {'NOT_FOUND', now, epoch} end
if ARGV[5] == '1' and s.exp <= now then return {'NOT_FOUND', now, epoch} end
remove_session(sid, s)
return {'ENDED', now, epoch, s.exp}
`;

/**
 * Settles sessions PostgreSQL believes expired: each is GONE (Redis does not know
 * it), EXPIRED (removed now) or LIVE (with its real expiry); then purges the oldest
 * seats past the retention. ARGV: now, base, retentionMs, sessionIds…
 */
export const REAP = `${COMMON}
local retention = tonumber(ARGV[3])
local out = {}
for i = 4, #ARGV do
  local sid = ARGV[i]
  local s = read_kept(sid, retention)
  if not s then
    out[#out + 1] = {sid, 'GONE', 0}
  elseif s.exp <= now then
    remove_session(sid, s)
    out[#out + 1] = {sid, 'EXPIRED', s.exp}
  else
    out[#out + 1] = {sid, 'LIVE', s.exp}
  end
end
purge(retention, ${REAP_PURGE})
return {'OK', now, epoch, out}
`;

/** Live seats of one license. ARGV: now, base. */
export const COUNT = `${COMMON}
return {'OK', now, epoch, live_count()}
`;

/**
 * After a write to PostgreSQL: stores a newly signed lease token (ARGV[2], '' for none;
 * ARGV[3] when it is due for renewal) and confirms the expiry PostgreSQL now holds
 * (ARGV[4], '' for none) with its version, the heartbeat time it came from (ARGV[5]): an
 * older confirmation never replaces a newer one. Only on a session that still exists.
 * KEYS: sessions (B ss). ARGV[1]: the session ID.
 */
export const SET_TOKEN = `
local SESSIONS = KEYS[1]
${SESSION_RECORD}
local s = read_session(ARGV[1])
if not s then return 0 end
if ARGV[2] ~= '' then s.tok, s.ren = ARGV[2], num(ARGV[3]) end
if ARGV[4] ~= '' then
  local v = s.pgv
  if v == '' then v = 0 end
  if tonumber(ARGV[5]) >= v then s.pgx, s.pgv = tonumber(ARGV[4]), tonumber(ARGV[5]) end
end
write_session(ARGV[1], s)
return 1
`;

/**
 * Puts back the secret a repeated idempotency key replaced, if the session still has
 * the new one (PostgreSQL never recorded it). KEYS: sessions. ARGV: session ID, new hash, old hash.
 */
export const RESTORE_SECRET = `
local SESSIONS = KEYS[1]
${SESSION_RECORD}
local s = read_session(ARGV[1])
if not s or s.sh ~= ARGV[2] then return 0 end
s.sh = ARGV[3]
write_session(ARGV[1], s)
return 1
`;

/** A session's last heartbeat and expiry (ms), or nil. KEYS: sessions. ARGV: the session ID. */
export const HEARTBEAT_TIMES = `
local SESSIONS = KEYS[1]
${SESSION_RECORD}
local s = read_session(ARGV[1])
if not s then return false end
return {s.lhb, s.exp}
`;

/**
 * Takes the rebuild lock of a license, in one step with the check that its epoch is
 * still missing. KEYS: epoch, lock. ARGV: token, lockMs. Answers EXISTS, TAKEN or BUSY.
 */
export const REBUILD_LOCK = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 'EXISTS' end
if redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2], 'NX') then return 'TAKEN' end
return 'BUSY'
`;

/** Deletes the epoch key if it still holds ARGV[1] (a fenced epoch: forces a rebuild). KEYS: epoch. */
export const DROP_EPOCH = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) return 1 end
return 0
`;

/**
 * The sessions Redis holds for one license, a page of seats at a time: {sid, exp, st}
 * of the sessions of about ARGV[4] seats from ZSCAN cursor ARGV[3], and the next cursor
 * ('0' when done). One call over a whole license of 100,000 sessions held Redis for
 * ~0.7 s; a page keeps every heartbeat's wait short. ZSCAN returns every seat held
 * through the whole scan at least once (the reconciler compares them with PostgreSQL).
 * ARGV: now, base, cursor, count.
 */
export const INSPECT = `${COMMON}
local out = {}
local page = redis.call('ZSCAN', KEYS[2], ARGV[3], 'COUNT', ARGV[4])
local seats = page[2]
for i = 1, #seats, 2 do
  local sids = {string.sub(seats[i], 3)}
  if not own(seats[i]) then sids = redis.call('ZRANGE', base .. 'b:' .. seats[i], 0, -1) end
  for _, sid in ipairs(sids) do
    local s = read_session(sid)
    if s then out[#out + 1] = {sid, s.exp, s.st} end
  end
end
return {'OK', now, epoch, out, page[1]}
`;

/** The time every script would see. ARGV: now override or ''. */
export const TIME = `
if ARGV[1] ~= '' then return tonumber(ARGV[1]) end
local t = redis.call('TIME')
return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

/**
 * Loads sessions of one license from PostgreSQL, in chunks, while holding the
 * rebuild lock; the first chunk removes whatever state of the license is left, the
 * last sets the epoch and frees the lock. A lost lock (Redis flushed again, or the
 * lock timed out) aborts with LOST_LOCK; an epoch already set (another replica
 * loaded the license) with EPOCH_EXISTS, changing nothing.
 * KEYS: epoch, seats, lock. ARGV: now, base, lockToken, final ('1'/'0'), retentionMs, epochValue,
 * first ('1'/'0'), then 14 values per session: sid, bk, sh, exp (the conservative expiry), fp,
 * uid, st, lhb, bor, host, idem, tok, ren, pgx (PostgreSQL's expiry).
 */
export const LOAD = `
local now = tonumber(ARGV[1])
local base = ARGV[2]
local SESSIONS = base .. 'ss'
${SESSION_RECORD}
if redis.call('EXISTS', KEYS[1]) == 1 then return 'EPOCH_EXISTS' end
if redis.call('GET', KEYS[3]) ~= ARGV[3] then return 'LOST_LOCK' end
local retention = tonumber(ARGV[5])
if ARGV[7] == '1' then
  for _, bk in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
    if not own(bk) then redis.call('DEL', base .. 'b:' .. bk) end
  end
  local left = redis.call('HGETALL', SESSIONS)
  for i = 1, #left, 2 do
    local idem = unpack_session(left[i], left[i + 1]).idem
    if idem ~= '' then redis.call('DEL', base .. 'i:' .. idem) end
  end
  -- Freed by Redis in the background: a license's hash may hold 100,000 sessions.
  redis.call('UNLINK', KEYS[2], SESSIONS)
end
for i = 8, #ARGV, 14 do
  local sid, bk, exp, idem = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 3]), ARGV[i + 10]
  write_session(sid, {sh = ARGV[i + 2], bk = bk, exp = exp, fp = ARGV[i + 4], uid = ARGV[i + 5], st = tonumber(ARGV[i + 6]),
    lhb = tonumber(ARGV[i + 7]), bor = tonumber(ARGV[i + 8]), host = ARGV[i + 9], idem = idem, tok = ARGV[i + 11],
    ren = num(ARGV[i + 12]), pgx = tonumber(ARGV[i + 13]), pgv = tonumber(ARGV[i + 7])})
  if not own(bk) then redis.call('ZADD', base .. 'b:' .. bk, exp, sid) end
  redis.call('ZADD', KEYS[2], 'GT', exp, bk)
  if idem ~= '' then redis.call('SET', base .. 'i:' .. idem, sid, 'PX', math.max(1, exp - now + retention)) end
end
if ARGV[4] == '1' then
  redis.call('SET', KEYS[1], ARGV[6])
  redis.call('DEL', KEYS[3])
  return 'DONE'
end
redis.call('PEXPIRE', KEYS[3], 30000)
return 'MORE'
`;

/** Fixed-window rate limit: counts a hit and answers the count and the window's remaining ms. KEYS: counter. ARGV: windowMs. */
export const RATE_HIT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
`;
