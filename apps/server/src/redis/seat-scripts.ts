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
 * Cluster). With B = `<prefix>{lic_…}:`:
 *   B epoch        string, present once the license's seat state was loaded; every
 *                  seat script answers it third, for the PostgreSQL fence (seat_epochs)
 *   B seats        ZSET basis key → latest expiry (ms) of its sessions
 *   B b:<basis>    ZSET session ID → expiry (ms), the sessions sharing a seat
 *   B s:<session>  HASH of one session (see SESSION_FIELDS), and pgx: the expiry
 *                  PostgreSQL is known to hold (confirmed after its write; pgv its version);
 *                  tok, tk2…tk5: the stored lease token (TOKEN_FIELDS)
 *   B i:<key>      string idempotency key → session ID
 *   B rebuild      string, the lock of whoever is loading the license from PostgreSQL
 */

/**
 * A stored lease token (tokens/stored-lease-token.ts, ~150 bytes, at most MAX_STORED) is split over fields
 * of at most 64 bytes: a hash whose values all fit stays a compact listpack, where one
 * longer value would turn the whole session into a hash table several times its size.
 */
const TOKEN_FIELDS = `
local function token_fields(tok)
  return 'tok', string.sub(tok, 1, 64), 'tk2', string.sub(tok, 65, 128), 'tk3', string.sub(tok, 129, 192), 'tk4', string.sub(tok, 193, 256), 'tk5', string.sub(tok, 257, 320)
end
local function joined(a, b, c, d, e) return (a or '') .. (b or '') .. (c or '') .. (d or '') .. (e or '') end
`;

const COMMON = `${TOKEN_FIELDS}
local base = ARGV[2]
local function clock()
  if ARGV[1] ~= '' then return tonumber(ARGV[1]) end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local now = clock()
local function after(t) return '(' .. string.format('%.0f', t) end
local function live_count() return redis.call('ZCOUNT', KEYS[2], after(now), '+inf') end
local function seat_score(bk)
  local top = redis.call('ZREVRANGE', base .. 'b:' .. bk, 0, 0, 'WITHSCORES')
  if #top == 0 then redis.call('ZREM', KEYS[2], bk) else redis.call('ZADD', KEYS[2], top[2], bk) end
end
local function remove_session(sid, bk)
  local idem = redis.call('HGET', base .. 's:' .. sid, 'idem')
  if idem and idem ~= '' and redis.call('GET', base .. 'i:' .. idem) == sid then redis.call('DEL', base .. 'i:' .. idem) end
  redis.call('DEL', base .. 's:' .. sid)
  redis.call('ZREM', base .. 'b:' .. bk, sid)
  seat_score(bk)
end
-- old_exp: the session's expiry before, when known. A lease that only grew raises its
-- seat's score to at least exp (ZADD GT), one call instead of reading the seat's sessions.
local function keep(sid, bk, exp, retention, idem, old_exp)
  redis.call('PEXPIRE', base .. 's:' .. sid, exp - now + retention)
  redis.call('ZADD', base .. 'b:' .. bk, exp, sid)
  if old_exp and exp >= old_exp then redis.call('ZADD', KEYS[2], 'GT', exp, bk) else seat_score(bk) end
  if idem and idem ~= '' then redis.call('PEXPIRE', base .. 'i:' .. idem, exp - now + retention) end
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
    local skey = base .. 's:' .. earlier
    local f = redis.call('HMGET', skey, 'fp', 'exp', 'bor', 'bk', 'uid', 'st', 'sh')
    if f[1] then
      if f[1] ~= fp then return {'CONFLICT', now, epoch} end
      if tonumber(f[2]) > now then
        local exp = math.max(now + ttl, tonumber(f[3]))
        -- pgx stays: PostgreSQL has the new expiry only once the server confirms its write.
        redis.call('HSET', skey, 'sh', ARGV[7], 'exp', exp, 'lhb', now)
        keep(earlier, f[4], exp, retention, idem)
        -- The secret it replaced goes back with the answer, for the server to restore should PostgreSQL not take the new one.
        return {'REUSED', now, epoch, earlier, exp, live_count(), f[5], f[6], f[3], f[7]}
      end
    end
  end
end
local skey = base .. 's:' .. sid
if mode == 'readmit' and redis.call('EXISTS', skey) == 1 then return {'EXISTS', now, epoch} end
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
    for _, other in ipairs(redis.call('ZRANGEBYSCORE', base .. 'b:' .. rows[i], after(now), '+inf')) do
      local h = redis.call('HMGET', base .. 's:' .. other, 'host', 'uid', 'st')
      if h[1] and h[1] > host then host = h[1] end
      if h[2] and h[2] > uid then uid = h[2] end
      if h[3] and (since == '' or tonumber(h[3]) < tonumber(since)) then since = h[3] end
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
redis.call('HSET', skey, 'bk', bk, 'sh', ARGV[7], 'exp', exp, 'fp', fp, 'uid', ARGV[6], 'st', started, 'lhb', now,
  'bor', bor, 'host', ARGV[13], 'idem', idem, 'ren', ARGV[17], 'pgx', pgx, token_fields(ARGV[16]))
if idem ~= '' then redis.call('SET', base .. 'i:' .. idem, sid, 'PX', exp - now + retention) end
keep(sid, bk, exp, retention, idem)
local seats_used = used
if not mine then seats_used = used + 1 end
return {'GRANTED', now, epoch, exp, seats_used, mine and 1 or 0}
`;

/**
 * Renews a lease. A lapsed session takes a seat again when its seat is still its
 * own or one is free; otherwise it is removed and the answer is EXPIRED.
 * The last element of RENEWED says whether PostgreSQL needs a copy of the new expiry:
 * 0 no; 1 in the background, once its confirmed copy (field pgx) has less than half
 * a lease left or a new token is due; 2 before the answer, when pgx is no longer
 * ahead of now. So every promised lease ends by pgx + ttl (docs/design/seat-invariant.md).
 * ARGV: now, base, sessionId, secretHash, capacity, ttlMs, licenseExpiresAtMs, retentionMs.
 */
export const HEARTBEAT = `${COMMON}
local sid, capacity, ttl, lic_exp, retention = ARGV[3], tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
local skey = base .. 's:' .. sid
local f = redis.call('HMGET', skey, 'sh', 'exp', 'bk', 'bor', 'tok', 'ren', 'st', 'uid', 'fp', 'pgx', 'idem', 'tk2', 'tk3', 'tk4', 'tk5')
local tok = joined(f[5], f[12], f[13], f[14], f[15])
if not f[1] or f[1] ~= ARGV[4] then return {'NOT_FOUND', now, epoch} end
local exp, bk, bor = tonumber(f[2]), f[3], tonumber(f[4])
if lic_exp > 0 and lic_exp <= now then
  remove_session(sid, bk)
  return {'LICENSE_EXPIRED', now, epoch, exp}
end
local lapsed = exp <= now
if lapsed then
  local others = redis.call('ZRANGEBYSCORE', base .. 'b:' .. bk, after(now), '+inf', 'LIMIT', 0, 1)
  local used = live_count()
  if (#others == 0 and used >= capacity) or (#others > 0 and used > capacity) then
    remove_session(sid, bk)
    return {'EXPIRED', now, epoch, exp, used, next_free()}
  end
end
local new_exp = math.max(now + ttl, bor)
-- The server signs a new token when this one is due: that token goes to PostgreSQL too.
local renew = tok == '' or not tonumber(f[6]) or tonumber(f[6]) <= now
-- pgx is what PostgreSQL is known to hold (set once a write is confirmed). A lease
-- promised now ends by pgx + ttl as long as pgx is still ahead: then a copy may
-- follow in the background (2 = write it before answering).
local pgx = tonumber(f[10])
local copy = 0
if lapsed or not pgx or pgx <= now then copy = 2
elseif renew or pgx - now < ttl / 2 or pgx > new_exp then copy = 1 end
redis.call('HSET', skey, 'exp', new_exp, 'lhb', now)
keep(sid, bk, new_exp, retention, f[11], exp)
return {'RENEWED', now, epoch, new_exp, lapsed and 1 or 0, tok, f[6], f[7], f[8], f[9], f[4], exp, copy}
`;

/**
 * Checks a live session out until now + duration (capped by the license's expiry).
 * ARGV: now, base, sessionId, secretHash, durationMs, maxBorrowMs, ttlMs, licenseExpiresAtMs, retentionMs.
 */
export const BORROW = `${COMMON}
local sid, duration, max_borrow = ARGV[3], tonumber(ARGV[5]), tonumber(ARGV[6])
local ttl, lic_exp, retention = tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9])
local skey = base .. 's:' .. sid
local f = redis.call('HMGET', skey, 'sh', 'exp', 'bk', 'st', 'uid', 'fp', 'idem')
if not f[1] or f[1] ~= ARGV[4] then return {'NOT_FOUND', now, epoch} end
if lic_exp > 0 and lic_exp <= now then return {'LICENSE_EXPIRED', now, epoch} end
if tonumber(f[2]) <= now then return {'EXPIRED', now, epoch} end
if duration > max_borrow then return {'BORROW_REFUSED', now, epoch} end
local borrowed = now + duration
local exp = math.max(now + ttl, borrowed)
if lic_exp > 0 and lic_exp < exp then exp = lic_exp end
local till = math.min(exp, borrowed)
redis.call('HSET', skey, 'exp', exp, 'bor', till, 'lhb', now)
keep(sid, f[3], exp, retention, f[7])
return {'BORROWED', now, epoch, exp, till, f[4], f[5], f[6]}
`;

/**
 * Ends a session: release, force-release, a refused license, or undoing a grant that
 * PostgreSQL did not record. ARGV: now, base, sessionId, secretHash ('' to skip the
 * check), requireLive ('1': an expired session answers NOT_FOUND).
 */
export const END = `${COMMON}
local sid = ARGV[3]
local f = redis.call('HMGET', base .. 's:' .. sid, 'sh', 'bk', 'exp')
if not f[1] then return {'NOT_FOUND', now, epoch} end
if ARGV[4] ~= '' and f[1] ~= ARGV[4] then return {'NOT_FOUND', now, epoch} end
if ARGV[5] == '1' and tonumber(f[3]) <= now then return {'NOT_FOUND', now, epoch} end
remove_session(sid, f[2])
return {'ENDED', now, epoch, tonumber(f[3])}
`;

/**
 * Settles sessions PostgreSQL believes expired: each is GONE (Redis does not know
 * it), EXPIRED (removed now) or LIVE (with its real expiry). ARGV: now, base, sessionIds…
 */
export const REAP = `${COMMON}
local out = {}
for i = 3, #ARGV do
  local sid = ARGV[i]
  local f = redis.call('HMGET', base .. 's:' .. sid, 'exp', 'bk')
  if not f[1] then
    out[#out + 1] = {sid, 'GONE', 0}
  elseif tonumber(f[1]) <= now then
    remove_session(sid, f[2])
    out[#out + 1] = {sid, 'EXPIRED', tonumber(f[1])}
  else
    out[#out + 1] = {sid, 'LIVE', tonumber(f[1])}
  end
end
return {'OK', now, epoch, out}
`;

/** Live seats of one license. ARGV: now, base. */
export const COUNT = `${COMMON}
return {'OK', now, epoch, live_count()}
`;

/**
 * After a write to PostgreSQL: stores a newly signed lease token (ARGV[1] '' for none)
 * and confirms the expiry PostgreSQL now holds (ARGV[3], '' for none) with its version,
 * the heartbeat time it came from (ARGV[4]): an older confirmation never replaces a
 * newer one. Only on a session that still exists. KEYS: sessionKey.
 */
export const SET_TOKEN = `${TOKEN_FIELDS}
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if ARGV[1] ~= '' then redis.call('HSET', KEYS[1], 'ren', ARGV[2], token_fields(ARGV[1])) end
if ARGV[3] ~= '' then
  local v = tonumber(redis.call('HGET', KEYS[1], 'pgv') or '0') or 0
  if tonumber(ARGV[4]) >= v then redis.call('HSET', KEYS[1], 'pgx', ARGV[3], 'pgv', ARGV[4]) end
end
return 1
`;

/**
 * Puts back the secret a repeated idempotency key replaced, if the session still has
 * the new one (PostgreSQL never recorded it). KEYS: session. ARGV: new hash, old hash.
 */
export const RESTORE_SECRET = `
if redis.call('HGET', KEYS[1], 'sh') == ARGV[1] then redis.call('HSET', KEYS[1], 'sh', ARGV[2]) return 1 end
return 0
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
  for _, sid in ipairs(redis.call('ZRANGE', base .. 'b:' .. seats[i], 0, -1)) do
    local f = redis.call('HMGET', base .. 's:' .. sid, 'exp', 'st')
    if f[1] then out[#out + 1] = {sid, tonumber(f[1]), tonumber(f[2]) or 0} end
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

// Fields of one session (SESSION_FIELDS), in the order LOAD reads them:
// sid, bk, sh, exp, fp, uid, st, lhb, bor, host, idem, tok, ren, pgx.

/**
 * Loads sessions of one license from PostgreSQL, in chunks, while holding the
 * rebuild lock; the first chunk removes whatever state of the license is left, the
 * last sets the epoch and frees the lock. A lost lock (Redis flushed again, or the
 * lock timed out) aborts with LOST_LOCK; an epoch already set (another replica
 * loaded the license) with EPOCH_EXISTS, changing nothing.
 * KEYS: epoch, seats, lock. ARGV: now, base, lockToken, final ('1'/'0'), retentionMs, epochValue,
 * first ('1'/'0'), then 14 fields per session (exp is the conservative expiry, pgx PostgreSQL's).
 */
export const LOAD = `${TOKEN_FIELDS}
local now = tonumber(ARGV[1])
local base = ARGV[2]
if redis.call('EXISTS', KEYS[1]) == 1 then return 'EPOCH_EXISTS' end
if redis.call('GET', KEYS[3]) ~= ARGV[3] then return 'LOST_LOCK' end
local retention = tonumber(ARGV[5])
if ARGV[7] == '1' then
  for _, bk in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
    for _, sid in ipairs(redis.call('ZRANGE', base .. 'b:' .. bk, 0, -1)) do
      local idem = redis.call('HGET', base .. 's:' .. sid, 'idem')
      if idem and idem ~= '' then redis.call('DEL', base .. 'i:' .. idem) end
      redis.call('DEL', base .. 's:' .. sid)
    end
    redis.call('DEL', base .. 'b:' .. bk)
  end
  redis.call('DEL', KEYS[2])
end
for i = 8, #ARGV, 14 do
  local sid, bk, exp, idem = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 3]), ARGV[i + 10]
  local skey = base .. 's:' .. sid
  redis.call('HSET', skey, 'bk', bk, 'sh', ARGV[i + 2], 'exp', exp, 'fp', ARGV[i + 4], 'uid', ARGV[i + 5], 'st', ARGV[i + 6],
    'lhb', ARGV[i + 7], 'bor', ARGV[i + 8], 'host', ARGV[i + 9], 'idem', idem, 'ren', ARGV[i + 12],
    'pgx', ARGV[i + 13], 'pgv', ARGV[i + 7], token_fields(ARGV[i + 11]))
  redis.call('PEXPIRE', skey, math.max(1, exp - now + retention))
  redis.call('ZADD', base .. 'b:' .. bk, exp, sid)
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
