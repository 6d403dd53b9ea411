/**
 * The line a terminal session's log gets when it is restarted, between the old program's last
 * output and the new one's first, so the new prompt is never glued onto the old screen. It is
 * ordinary output in the log: every window draws it, and so does the server's screen, which
 * late joiners and reloads get.
 *
 * Before the line the terminal is put back into the state a fresh program expects, in case the
 * old one died mid-screen (killed vim): the normal screen (leave the alternate one with 1047,
 * not 1049, whose cursor restore would move the cursor back up over the old output), the
 * cursor shown, the default pen. `\r\n` first ends whatever line the old prompt left the cursor on.
 * The time is the server's local time, hours and minutes.
 */
export function restartSeparator(at: Date): string {
  const hh = String(at.getHours()).padStart(2, '0');
  const mm = String(at.getMinutes()).padStart(2, '0');
  return `\x1b[?1047l\x1b[?25h\x1b[0m\r\n\x1b[2m── restarted ${hh}:${mm} ──\x1b[0m\r\n`;
}
