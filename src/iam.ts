// Entry point `appsync-events-rx/iam`: AWS IAM (SigV4) authorization. Kept apart from the main entry
// so that applications which don't use IAM don't ship the signer. Names are exported one by one.
export { iamAuth, IamCredentialsError } from './auth/iam';
export type { IamAuthOptions, IamCredentials, IamCredentialsProvider } from './auth/iam';
