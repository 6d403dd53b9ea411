import { useState, type KeyboardEvent, type ReactNode } from 'react';
import type { AgentCommand } from '@baton/protocol';

/** The most options the list shows; typing more of the name narrows it. */
const MAX_OPTIONS = 8;

/** A slash and the start of a command's name, nothing else: what completion completes. */
const PARTIAL = /^\/([\w.:-]*)$/;

/** The commands whose name starts with what follows the `/` in `text`, or none. */
export function matchingCommands(
  text: string,
  commands: readonly AgentCommand[] | undefined,
): AgentCommand[] {
  const m = PARTIAL.exec(text);
  if (!m || !commands) return [];
  const typed = m[1]!.toLowerCase();
  return commands.filter((c) => c.name.toLowerCase().startsWith(typed)).slice(0, MAX_OPTIONS);
}

export interface CommandCompletion {
  /**
   * Props for the text box, which owns the list. It stays a textbox (a textarea may take no
   * combobox role): `aria-autocomplete`, `aria-controls` and `aria-activedescendant` are the
   * textbox's own, so the active option is announced while the focus stays in the box.
   */
  inputProps: {
    'aria-controls': string | undefined;
    'aria-autocomplete': 'list';
    'aria-activedescendant': string | undefined;
  };
  /**
   * Handles the list's keys: arrows move, Tab or Enter picks, Escape closes. Returns true when
   * it took the key (Enter on a name typed in full is left to send it).
   */
  onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>): boolean;
  /** The list, or null while closed. */
  list: ReactNode;
}

/**
 * Completion of the slash commands the agent offers (`agent.commands`): the text box keeps the
 * focus, the options are announced through `aria-activedescendant`. Picking
 * one puts `/name ` in the box; the message is sent as typed and the agent runs it.
 */
export function useCommandCompletion(
  id: string,
  text: string,
  commands: readonly AgentCommand[] | undefined,
  setText: (text: string) => void,
): CommandCompletion {
  const [active, setActive] = useState(0);
  /** The text the list was dismissed for (Escape); it opens again once the text changes. */
  const [dismissed, setDismissed] = useState<string>();
  const options = dismissed === text ? [] : matchingCommands(text, commands);
  const open = options.length > 0;
  const current = open ? Math.min(active, options.length - 1) : -1;
  const listId = `${id}-commands`;
  const optionId = (i: number) => `${id}-command-${i}`;

  const pick = (command: AgentCommand): void => {
    setText(`/${command.name} `);
    setActive(0);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>): boolean => {
    if (!open) return false;
    const move = (by: number) => {
      event.preventDefault();
      setActive((current + by + options.length) % options.length);
    };
    switch (event.key) {
      case 'ArrowDown':
        move(1);
        return true;
      case 'ArrowUp':
        move(-1);
        return true;
      case 'Escape':
        event.preventDefault();
        setDismissed(text);
        return true;
      case 'Tab':
        if (event.shiftKey) return false;
        event.preventDefault();
        pick(options[current]!);
        return true;
      case 'Enter': {
        if (event.shiftKey || event.nativeEvent.isComposing) return false;
        const chosen = options[current]!;
        if (text === `/${chosen.name}`) return false;
        event.preventDefault();
        pick(chosen);
        return true;
      }
      default:
        return false;
    }
  };

  return {
    inputProps: {
      'aria-controls': open ? listId : undefined,
      'aria-autocomplete': 'list',
      'aria-activedescendant': open ? optionId(current) : undefined,
    },
    onKeyDown,
    list: open ? (
      <ul id={listId} role="listbox" className="command-list" aria-label="Slash commands">
        {options.map((c, i) => (
          <li
            key={c.name}
            id={optionId(i)}
            role="option"
            aria-selected={i === current}
            className={i === current ? 'active' : undefined}
            // Pointer down, not click: the box keeps the focus (a click would blur it first).
            onPointerDown={(e) => {
              e.preventDefault();
              pick(c);
            }}
          >
            <span className="command-name">
              /{c.name}
              {c.argumentHint ? <span className="muted"> {c.argumentHint}</span> : null}
            </span>
            {c.description ? (
              <span className="command-description muted">{c.description}</span>
            ) : null}
          </li>
        ))}
      </ul>
    ) : null,
  };
}
