import { join } from 'node:path';
import ts from 'typescript';
import type { Manifest } from './k8s-models.js';
import { ROOT } from './repo.js';

/** Where each apiVersion's TypeScript models are (generated from the same OpenAPI schemas). */
const TYPES: Record<string, string> = {
  v1: 'kubernetes-models/v1',
  'apps/v1': 'kubernetes-models/apps/v1',
  'policy/v1': 'kubernetes-models/policy/v1',
  'autoscaling/v2': 'kubernetes-models/autoscaling/v2',
  'keda.sh/v1alpha1': '@kubernetes-models/keda/keda.sh/v1alpha1',
};

/**
 * Fields a manifest sets that its kind does not have (a misspelt `imagePullPolicy`, a
 * probe under the wrong key): what `kubectl --validate=strict` refuses, which the JSON
 * schemas cannot catch (Kubernetes' schemas allow any extra field). Each object is
 * type-checked, as an object literal, against its kind's TypeScript model: excess
 * property checks find every unknown field at any depth.
 */
export function unknownFields(manifests: readonly Manifest[]): string[] {
  const dir = join(ROOT, 'tools/deploy-check/src');
  const file = join(dir, '__manifests__.ts');
  const lines = manifests.map((m, i) => {
    const from = TYPES[m.apiVersion];
    if (!from) return `// no types for ${m.apiVersion}`;
    const { file: _f, ...data } = m;
    return `import type { I${m.kind} as T${i} } from '${from}/${m.kind}';\nexport const m${i}: T${i} = ${JSON.stringify(data)};`;
  });
  const source = lines.join('\n');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (f) => (f === file ? source : readFile(f));
  host.fileExists = (f) => f === file || fileExists(f);
  host.getSourceFile = (f, lang, onError, create) =>
    f === file ? ts.createSourceFile(f, source, lang) : getSourceFile(f, lang, onError, create);
  const program = ts.createProgram([file], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const at =
      d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : null;
    const index = at ? Math.floor(at.line / 2) : -1;
    const m = manifests[index];
    const where = m ? `${m.file}: ${m.kind}/${m.metadata.name}` : 'manifests';
    return `${where}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
  });
}
