import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { templateBodyOf } from '../../../functions/shared/templates';

const repoTemplates = join(__dirname, '..', '..', '..', 'templates');

describe('templateBodyOf', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it("reads the repository's template when TEMPLATES_DIR is unset", async () => {
    // Prepare
    jest.replaceProperty(process, 'env', {});

    // Act
    const body = await templateBodyOf('network');

    // Assess
    expect(body).toBe(
      await readFile(join(repoTemplates, 'network.yaml'), 'utf8')
    );
  });

  it('reads the template from TEMPLATES_DIR when it is set', async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), 'haven-templates-'));
    await writeFile(join(dir, 'compute.yaml'), 'Description: layered\n');
    jest.replaceProperty(process, 'env', { TEMPLATES_DIR: dir });

    try {
      // Act
      const body = await templateBodyOf('compute');

      // Assess
      expect(body).toBe('Description: layered\n');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('fails when the folder has no such template', async () => {
    // Prepare
    jest.replaceProperty(process, 'env', {
      TEMPLATES_DIR: join(tmpdir(), 'haven-no-such-folder'),
    });

    // Act
    const reading = templateBodyOf('data');

    // Assess
    await expect(reading).rejects.toHaveProperty('code', 'ENOENT');
  });
});
