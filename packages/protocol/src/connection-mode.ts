import { z } from 'zod';

/** The UI mode a connection declares in its hello. Shown in presence; never used as identity. */
export const ConnectionMode = z.enum([
  'tab',
  'popup',
  'sidepanel',
  'mobile',
  'desktop',
  'headless',
  'cli',
]);
export type ConnectionMode = z.infer<typeof ConnectionMode>;
