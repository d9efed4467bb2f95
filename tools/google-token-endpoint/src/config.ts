import { createPublicKey, type KeyObject } from 'node:crypto';
import { z } from 'zod';

/** One key of a service account, as the Cloud console lists it (public half only). */
export const ServiceAccountKey = z.strictObject({
  privateKeyId: z.string().min(1),
  publicKeyPem: z.string().includes('-----BEGIN PUBLIC KEY-----'),
});
export type ServiceAccountKey = z.infer<typeof ServiceAccountKey>;

export const ServiceAccount = z.strictObject({
  clientEmail: z.email(),
  /** The numeric OAuth client id the Admin console's domain-wide delegation lists. */
  clientId: z.string().regex(/^\d+$/),
  keys: z.array(ServiceAccountKey),
});
export type ServiceAccount = z.infer<typeof ServiceAccount>;

/** Admin console > Security > API controls > Domain-wide delegation, for one domain. */
export const Delegation = z.strictObject({
  domain: z.string().min(1),
  clientId: z.string().regex(/^\d+$/),
  scopes: z.array(z.string().min(1)).min(1),
});
export type Delegation = z.infer<typeof Delegation>;

export const EndpointConfig = z.strictObject({
  serviceAccounts: z.array(ServiceAccount),
  delegations: z.array(Delegation),
  /** Every mailbox user Google knows, of any domain. */
  users: z.array(z.email()),
  /** Access-token lifetime; Google's is 3600 s. Tests shorten it to see tokens expire. */
  tokenLifetimeSeconds: z.number().int().positive().default(3600),
  /** How far iat/exp may sit from this server's clock before the assertion is refused. */
  clockSkewSeconds: z.number().int().nonnegative().default(60),
});
export type EndpointConfig = z.infer<typeof EndpointConfig>;

/** The config, indexed for the grant decision; public keys parsed once. */
export interface Directory {
  readonly accounts: ReadonlyMap<
    string,
    { readonly clientId: string; readonly keys: ReadonlyMap<string, KeyObject> }
  >;
  /** `domain -> clientId -> delegated scopes` */
  readonly delegations: ReadonlyMap<string, ReadonlyMap<string, ReadonlySet<string>>>;
  readonly users: ReadonlySet<string>;
  readonly tokenLifetimeSeconds: number;
  readonly clockSkewSeconds: number;
}

export function buildDirectory(config: EndpointConfig): Directory {
  const accounts = new Map(
    config.serviceAccounts.map((sa) => [
      sa.clientEmail.toLowerCase(),
      {
        clientId: sa.clientId,
        keys: new Map(sa.keys.map((k) => [k.privateKeyId, createPublicKey(k.publicKeyPem)])),
      },
    ]),
  );
  const delegations = new Map<string, Map<string, Set<string>>>();
  for (const d of config.delegations) {
    const domain = d.domain.toLowerCase();
    const byClient = delegations.get(domain) ?? new Map<string, Set<string>>();
    const scopes = byClient.get(d.clientId) ?? new Set<string>();
    for (const s of d.scopes) scopes.add(s);
    byClient.set(d.clientId, scopes);
    delegations.set(domain, byClient);
  }
  return {
    accounts,
    delegations,
    users: new Set(config.users.map((u) => u.toLowerCase())),
    tokenLifetimeSeconds: config.tokenLifetimeSeconds,
    clockSkewSeconds: config.clockSkewSeconds,
  };
}
