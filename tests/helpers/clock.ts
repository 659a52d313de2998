/**
 * Rate limits use a sliding window over fixed minutes (the previous minute's count weighs in): a sequence that
 * crosses a minute boundary counts less than its length. Tests that count exactly start well inside a minute.
 */
export async function awayFromMinuteEdge(marginMs = 5_000): Promise<void> {
  const intoMinute = Date.now() % 60_000;
  if (intoMinute > 60_000 - marginMs) await new Promise((resolve) => setTimeout(resolve, 60_000 - intoMinute + 10));
}
