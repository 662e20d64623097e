import * as fs from 'fs';
import * as path from 'path';
import { GUARD_RULE_DIRECTORIES, guardRulePaths } from '../../lib/validation/guard-rules';
import { fixtureAssembly } from '../helpers/fixture-assembly';

describe('the cfn-guard rule directories', () => {
  test('exist in the installed rule set', () => {
    for (const dir of guardRulePaths()) expect(fs.statSync(dir).isDirectory()).toBe(true);
  });

  test('cover every service namespace the synthesized templates use', () => {
    const namespaces = new Set<string>();
    const { outdir } = fixtureAssembly();
    for (const file of fs.readdirSync(outdir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.template.json'))) {
      const template = JSON.parse(fs.readFileSync(path.join(outdir, file), 'utf8'));
      for (const resource of Object.values<{ Type: string }>(template.Resources)) {
        const [vendor, namespace] = resource.Type.split('::');
        if (vendor === 'AWS') namespaces.add(namespace);
      }
    }
    const unknown = [...namespaces].filter((n) => !(n in GUARD_RULE_DIRECTORIES));
    // A namespace missing here may have Control Tower rules that would not run: add it to GUARD_RULE_DIRECTORIES.
    expect(unknown).toEqual([]);
  });

  test('a namespace marked as having no rules really has none in the rule set', () => {
    const root = path.dirname(guardRulePaths()[0]);
    const available = new Set(fs.readdirSync(root));
    for (const [namespace, dir] of Object.entries(GUARD_RULE_DIRECTORIES)) {
      if (dir === null) expect({ namespace, hasRules: available.has(namespace.toLowerCase()) }).toEqual({ namespace, hasRules: false });
    }
  });
});
