/** Shared bits of the pacing tests (not a spec file). */
import type { Frame, MarbleHarness } from '../../helpers/fake-socket';

export const ok = (frame: Frame | undefined, count = 1): Frame => ({
  type: 'publish_success',
  id: frame?.id,
  successful: Array.from({ length: count }, (_, index) => ({ identifier: `e${index}`, index })),
  failed: [],
});

/** The publish frames one socket received, with their virtual send times. */
export const publishLog = (h: MarbleHarness, socket = 0): { at: number | undefined; frame: Frame }[] => h.socket(socket).sentLog.filter((s) => s.frame.type === 'publish');
export const publishes = (h: MarbleHarness, socket = 0): Frame[] => publishLog(h, socket).map((s) => s.frame);
export const quiet = { error: (): void => undefined };
