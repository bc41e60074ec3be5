import type { ParsedPolicy, PrincipalType } from '../iam-engine/types.js';

/** Who is calling, with everything authorization needs already resolved (the hot path never queries the store). */
export interface Principal {
  type: PrincipalType;
  /** Caller ARN: user ARN, `arn:aws:iam::ACCT:root`, or `arn:aws:sts::ACCT:assumed-role/ROLE/SESSION`. */
  arn: string;
  accountId: string;
  /** aws:userid: AIDA… for users, AROA…:session for role sessions, the account id for root. */
  userId: string;
  userName?: string;
  roleArn?: string;
  roleName?: string;
  roleId?: string;
  sessionName?: string;
  accessKeyId?: string;
  tags: Record<string, string>;
  identityPolicies: ParsedPolicy[];
  permissionsBoundary?: ParsedPolicy;
  /** Session policies passed to AssumeRole; undefined when none were. */
  sessionPolicies?: ParsedPolicy[];
  mfaPresent?: boolean;
  tokenIssueTime?: Date;
  expiration?: Date;
  /** True when these role credentials were obtained with role credentials (role chaining). */
  roleChained?: boolean;
  sourceIdentity?: string;
}

/** What a credential lookup returns for an access key id. */
export interface ResolvedCredential {
  accessKeyId: string;
  /** Plaintext secret, held only in memory. */
  secretAccessKey: string;
  /** Required (and compared in constant time) for temporary credentials. */
  sessionToken?: string;
  expiration?: Date;
  status: 'Active' | 'Inactive';
  principal: Principal;
}

export interface CredentialResolver {
  resolve(accessKeyId: string): Promise<ResolvedCredential | undefined>;
  /** Drop cached entries after IAM changes (all of them, or one account's). */
  invalidate(accountId?: string): void;
}

/** The parsed SigV4 credential scope and signature carrier (header or presigned query). */
export interface SigV4Carrier {
  presigned: boolean;
  accessKeyId: string;
  date: string; // yyyymmdd
  region: string;
  service: string;
  terminator: string;
  signedHeaders: string[];
  signature: string;
  /** X-Amz-Date (or Date header) as sent. */
  amzDate: string;
  /** Presigned URLs only. */
  expiresSeconds?: number;
  securityToken?: string;
}

export type SigV4FailureKind =
  | 'missing' // MissingAuthenticationToken
  | 'incomplete' // IncompleteSignature
  | 'invalid-token' // InvalidClientTokenId / UnrecognizedClientException
  | 'signature' // SignatureDoesNotMatch / InvalidSignatureException (also skew, "Signature expired")
  | 'expired-token' // ExpiredToken
  | 'request-expired'; // presigned URL past X-Amz-Expires

/** Raised by the verifier; the gateway maps it to the protocol family's error spelling. */
export class SigV4Error extends Error {
  constructor(readonly kind: SigV4FailureKind, message: string) {
    super(message);
    this.name = 'SigV4Error';
  }
}
