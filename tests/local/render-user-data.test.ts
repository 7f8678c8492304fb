import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../local/emulator';
import {
  renderBootstrap,
  renderTemplate,
  USER_DATA,
  userDataBlockInTemplate,
} from '../../local/render-user-data';
import { loadTemplate } from '../support/cfn-yaml';

// CreateStack takes at most 51,200 bytes of template body, EC2 at most
// 16 KiB of user data before its base64 encoding.
const TEMPLATE_BODY_LIMIT = 51_200;
const USER_DATA_LIMIT = 16_384;

const templatePath = join(repoRoot, USER_DATA.template);

function userDataSub(): [string, Record<string, unknown>] {
  const template = loadTemplate(USER_DATA.template);
  const data = template.Resources.AppLaunchTemplate.Properties
    .LaunchTemplateData as {
    UserData: {
      'Fn::Base64': { 'Fn::Sub': [string, Record<string, unknown>] };
    };
  };

  return data.UserData['Fn::Base64']['Fn::Sub'];
}

describe('render-user-data', () => {
  it('finds the template holding exactly the rendered bootstrap', () => {
    const template = readFileSync(templatePath, 'utf8');

    // On failure: run `npm run render` and commit the template.
    expect(userDataBlockInTemplate(template)).toBe(
      userDataBlockInTemplate(renderTemplate(template))
    );
  });

  it('keeps the parsed user data equal to the rendered script', () => {
    const [script] = userDataSub();

    expect(script).toBe(`${renderBootstrap().replace(/\n$/, '')}\n`);
    expect(script).toMatch(/^#!\/bin\/bash\nset -euo pipefail\n/);
  });

  it('leaves no embed line unresolved', () => {
    expect(renderBootstrap()).not.toMatch(/^#haven:embed/m);
  });

  it('names only parameters, variables and attributes Fn::Sub knows', () => {
    const [script, variables] = userDataSub();
    const template = loadTemplate(USER_DATA.template);
    const known = new Set([
      ...Object.keys(template.Parameters),
      ...Object.keys(variables),
      'LoadBalancer.DNSName',
    ]);
    const names = [...script.matchAll(/\$\{([^!}][^}]*)\}/g)].map(
      (match) => match[1]
    );

    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((name) => !known.has(name as string))).toEqual([]);
    expect(Object.keys(variables).filter((v) => !names.includes(v))).toEqual(
      []
    );
  });

  it('keeps the template under the CreateStack body limit', () => {
    expect(statSync(templatePath).size).toBeLessThan(TEMPLATE_BODY_LIMIT);
  });

  it('keeps the user data under the EC2 limit with long values filled in', () => {
    const [script] = userDataSub();
    // Each placeholder at 128 characters is more than any real value.
    const filled = script.replace(/\$\{[^!}][^}]*\}/g, 'x'.repeat(128));

    expect(Buffer.byteLength(filled)).toBeLessThan(USER_DATA_LIMIT);
  });
});
