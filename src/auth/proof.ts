/**
 * What a signed request proved, carried with its Caller (explicit data, not a lookup by object
 * identity): which key signed it, and the claim its signature makes on the replay guard.
 */
export interface SignatureProof {
  /** The key that signed (its id; static keys are `static:<n>`). Revoking it ends the caller's streams. */
  readonly keyId: string;
  /** `<keyId>:<signature>`: what the replay guard records. */
  readonly fingerprint: string;
  /** Until when (epoch ms) the signature is inside the accepted window: the claim can be forgotten after that. */
  readonly expiresAt: number;
  /** The signed Content-MD5 ('' when none): the body must match it, or, with none, be claimed on first use. */
  readonly contentMd5: string;
  /** Set once the signature has been claimed for this request (a second claim in the same request is a no-op). */
  claimed: boolean;
}
