/**
 * Compile-time checks that the SDK's hand-written wire types (wire.ts) still match
 * the protocol's schemas. Nothing here runs: `tsc -b` fails when a field is added,
 * removed, renamed or retyped on either side without the other.
 */
import type { AcquireResponse, BorrowResponse, HeartbeatResponse, ValidateResponse } from '@leasehold/protocol/schemas';
import type { AcquireAnswer, BorrowAnswer, HeartbeatAnswer, ValidateAnswer } from './wire.js';

/** True only when A and B are the same type (not merely assignable one way). */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** Fields of the wire type are all in the protocol type, with the same types. */
type ReadsSubsetOf<Wire, Protocol> = keyof Wire extends keyof Protocol ? Same<Wire, Pick<Protocol, keyof Wire & keyof Protocol>> : false;
type Expect<T extends true> = T;

export type AcquireMatches = Expect<Same<AcquireAnswer, AcquireResponse>>;
export type HeartbeatMatches = Expect<Same<HeartbeatAnswer, HeartbeatResponse>>;
export type ValidateMatches = Expect<Same<ValidateAnswer, ValidateResponse>>;
// The SDK reads only some fields of a borrow's answer: those must exist, typed alike.
export type BorrowMatches = Expect<ReadsSubsetOf<BorrowAnswer, BorrowResponse>>;
