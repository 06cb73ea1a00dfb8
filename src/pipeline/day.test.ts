import type { SelectedPaper } from '../app/types';
import { PromptLibrary } from '../llm/prompts';
import { formatDayPapers } from './day';

const paper = {
  id: '2510.90001',
  title: 'Staged  Curriculum\nRL',
  summary:
    '**Key Contributions:**\nA math-only stage before joint RL.\n\n**Methods:**\n1. Stage one.\n\n**Results:**\n* Average accuracy rises from 67.7 to 71.2.',
} as SelectedPaper;

test('the day prompt sees each paper’s contributions and results, and may claim nothing beyond them', async () => {
  expect(formatDayPapers([paper])).toBe(
    '[2510.90001] Staged Curriculum RL\nContributions: A math-only stage before joint RL.\nResults: * Average accuracy rises from 67.7 to 71.2.',
  );
  const noResults = { ...paper, summary: 'Just the abstract.' } as SelectedPaper;
  expect(formatDayPapers([noResults])).toBe('[2510.90001] Staged Curriculum RL\nContributions: Just the abstract.');
  const template = await new PromptLibrary().load('day');
  expect(template.system).toContain('Claim nothing beyond the summaries');
  expect(template.user.trimEnd().endsWith('from these summaries only.')).toBe(true);
});
