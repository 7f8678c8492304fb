import {
  platformLimits,
  requestDefaults,
} from '../../../functions/shared/defaults';

describe('platformLimits', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it("falls back to haven's limits in an empty environment", () => {
    // Act
    const limits = platformLimits({});

    // Assess
    expect(limits).toEqual({
      instanceTypes: ['t2.micro', 't3.micro', 't3.small', 't3.medium'],
      dbInstanceClasses: ['db.t3.micro', 'db.t3.small', 'db.t3.medium'],
      maxInstances: 10,
      dbStorage: { min: 20, max: 1000 },
      defaultAppRepository: '',
      defaultAppRef: 'main',
    });
  });

  it('reads the lists, trimmed and without empty items', () => {
    // Act
    const limits = platformLimits({
      ALLOWED_INSTANCE_TYPES: ' t3.small , ,t3.large,',
      ALLOWED_DB_INSTANCE_CLASSES: 'db.t3.medium',
    });

    // Assess
    expect(limits.instanceTypes).toEqual(['t3.small', 't3.large']);
    expect(limits.dbInstanceClasses).toEqual(['db.t3.medium']);
  });

  it.each([
    [' , ', 4],
    ['', 4],
  ])('takes the default list for the blank value %j', (value, length) => {
    // Act
    const limits = platformLimits({ ALLOWED_INSTANCE_TYPES: value });

    // Assess
    expect(limits.instanceTypes).toHaveLength(length);
  });

  it.each([
    ['4', 4],
    ['0', 0],
    ['many', 10],
    ['', 10],
  ])('reads MAX_INSTANCES %j as %i', (value, max) => {
    // Act
    const limits = platformLimits({ MAX_INSTANCES: value });

    // Assess
    expect(limits.maxInstances).toBe(max);
  });

  it('reads the reference app, falling back to main for a blank ref', () => {
    // Act
    const limits = platformLimits({
      DEFAULT_APP_REPOSITORY: 'https://git.example.com/ref.git',
      DEFAULT_APP_REF: '',
    });

    // Assess
    expect(limits.defaultAppRepository).toBe('https://git.example.com/ref.git');
    expect(limits.defaultAppRef).toBe('main');
  });

  it('reads process.env when given no environment', () => {
    // Prepare
    jest.replaceProperty(process, 'env', { MAX_INSTANCES: '7' });

    // Act
    const limits = platformLimits();

    // Assess
    expect(limits.maxInstances).toBe(7);
  });
});

describe('requestDefaults', () => {
  it('keeps the default sizes in min <= desired <= max order', () => {
    // Prepare
    const { minSize, desiredCapacity, maxSize } = requestDefaults.sizes;

    // Assess
    expect(minSize <= desiredCapacity && desiredCapacity <= maxSize).toBe(true);
  });
});
