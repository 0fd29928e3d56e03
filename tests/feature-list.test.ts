import { describe, expect, it } from 'vitest';
import { featureTransitions, forbiddenFeatureEdit, parseFeatureList } from '../activities/feature-list.ts';

const feature = (n: number, passes = false) => ({ category: 'functional', description: `Feature ${n}`, steps: [`step ${n}`], passes });

describe('feature_list.json', () => {
  it('parses the contract shape and drops extra keys', () => {
    const parsed = parseFeatureList(JSON.stringify([{ ...feature(1), note: 'extra' }]));
    expect(parsed).toEqual({ ok: true, features: [feature(1)] });
  });

  it('explains why a list is unreadable', () => {
    expect(parseFeatureList('{oops')).toMatchObject({ ok: false, reason: expect.stringContaining('not valid JSON') });
    expect(parseFeatureList(JSON.stringify([{ description: 'x' }]))).toMatchObject({ ok: false, reason: expect.stringContaining('schema at 0.category') });
  });

  it('allows only flipping passes (and adding features)', () => {
    const before = [feature(1), feature(2)];
    expect(forbiddenFeatureEdit(before, [feature(1, true), feature(2)])).toBeNull();
    expect(forbiddenFeatureEdit(before, [...before, feature(3)])).toBeNull();
    expect(forbiddenFeatureEdit(before, [feature(1)])).toMatch(/removed/);
    expect(forbiddenFeatureEdit(before, [{ ...feature(1), description: 'Easier' }, feature(2)])).toMatch(/renamed/);
    expect(forbiddenFeatureEdit(before, [feature(1), { ...feature(2), steps: [] }])).toMatch(/steps/);
  });

  it('lists what passed and what regressed', () => {
    expect(featureTransitions([feature(1, true), feature(2)], [feature(1), feature(2, true)])).toEqual([
      { index: 0, description: 'Feature 1', passes: false },
      { index: 1, description: 'Feature 2', passes: true },
    ]);
  });
});
