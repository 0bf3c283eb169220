import { describe, expect, test } from 'vitest';
import type { RunnableView } from './runViewConsumer.js';
import { selectViews } from './selectViews.js';

const runnable = (name: string): RunnableView => ({
  name,
  consumer: () => {
    throw new Error('not started in this test');
  },
});
const views = ['gp-view', 'pharmacy-view', 'care-plan-view'].map(runnable);
const indexes = ['audit-index', 'audit-receipts'].map(runnable);
const names = (selection: ReturnType<typeof selectViews>) =>
  selection.ok ? [...selection.value.views, ...selection.value.indexes].map((v) => v.name) : [];

describe('selectViews', () => {
  test.each([
    {
      name: 'unset: every view, no log index',
      selected: 'all',
      expected: ['gp-view', 'pharmacy-view', 'care-plan-view'],
    },
    {
      name: 'views in the order named',
      selected: ['care-plan-view', 'gp-view'],
      expected: ['care-plan-view', 'gp-view'],
    },
    {
      name: 'log indexes only when named, after the views',
      selected: ['audit-receipts', 'pharmacy-view', 'audit-index'],
      expected: ['pharmacy-view', 'audit-index', 'audit-receipts'],
    },
  ] as const)('$name', ({ selected, expected }) => {
    expect(names(selectViews(selected, views, indexes))).toEqual(expected);
  });

  test('a name that is neither a view nor a log index is refused, with the names there are', () => {
    expect(selectViews(['gp-view', 'gp-veiw'], views, indexes)).toEqual({
      ok: false,
      error: {
        unknown: ['gp-veiw'],
        known: ['gp-view', 'pharmacy-view', 'care-plan-view', 'audit-index', 'audit-receipts'],
      },
    });
  });
});
