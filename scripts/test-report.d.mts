// Types for test-report.mjs (its parsers are tested from test/scripts/).
export function countTests(lines: readonly string[]): { passed: number; failed: number } | null;
export function tapFailures(lines: readonly string[]): string[];
