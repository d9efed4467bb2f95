import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, readYamlDocuments } from './repo.js';

export const K8S_DIR = 'deploy/k8s';

/** A Kubernetes object as the manifests hold it. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  file: string;
}

/** Every object of every manifest file under deploy/k8s. */
export function manifests(): Manifest[] {
  return readdirSync(join(ROOT, K8S_DIR))
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .flatMap((f) =>
      readYamlDocuments(join(K8S_DIR, f)).map((doc) => ({ ...(doc as Manifest), file: f })),
    );
}

/** Where each apiVersion's models (generated from the Kubernetes and KEDA OpenAPI schemas) are. */
const MODULES: Record<string, () => Promise<Record<string, unknown>>> = {
  v1: () => import('kubernetes-models/v1'),
  'apps/v1': () => import('kubernetes-models/apps/v1'),
  'policy/v1': () => import('kubernetes-models/policy/v1'),
  'autoscaling/v2': () => import('kubernetes-models/autoscaling/v2'),
  'keda.sh/v1alpha1': () => import('@kubernetes-models/keda/keda.sh/v1alpha1'),
};

/**
 * Validates one object against its kind's JSON schema; throws naming the object and the
 * failing paths. An apiVersion or kind the checks do not know is an error too.
 */
export async function validateManifest(m: Manifest): Promise<void> {
  const load = MODULES[m.apiVersion];
  if (!load) throw new Error(`${m.file}: no schema for apiVersion ${m.apiVersion}`);
  const Model = (await load())[m.kind] as (new (data: unknown) => { validate(): void }) | undefined;
  if (!Model) throw new Error(`${m.file}: no schema for ${m.apiVersion} ${m.kind}`);
  const { file: _file, ...data } = m;
  try {
    new Model(data).validate();
  } catch (error) {
    throw new Error(`${m.file}: ${m.kind}/${m.metadata?.name}: ${(error as Error).message}`);
  }
}
