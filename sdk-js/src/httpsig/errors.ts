// Why a signature could not be parsed or its base could not be built (RFC 9421 §2.5:
// "no signature base is produced"). Thrown for untrusted input, so the message names the
// failed rule without echoing header contents; a verifier maps it to its own error code.
export class SignatureFormatError extends Error {
  override readonly name = "SignatureFormatError";
}
