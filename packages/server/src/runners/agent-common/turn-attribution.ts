/** One message a turn answers, and the device that sent it. */
export interface AttributedMessage {
  readonly deviceId: string;
  readonly text: string;
}

/**
 * What the agent is told for the messages one turn answers (docs/agents.md, "Who said what").
 * When they come from more than one device, each is preceded by a line naming its device, so
 * the model knows who said what; from one device they go as typed, as in a one-person chat.
 * Only the agent gets these lines: the `input` events, which every device shows, keep exactly
 * what was typed.
 */
export function attributedTexts(
  messages: readonly AttributedMessage[],
  deviceName: (deviceId: string) => string,
): string[] {
  const devices = new Set(messages.map((m) => m.deviceId));
  if (devices.size < 2) return messages.map((m) => m.text);
  return messages.map(
    (m) => `[sent from the device ${JSON.stringify(deviceName(m.deviceId))}]\n${m.text}`,
  );
}
