import { useEffect, useId, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import './menu.css';
import { navigate } from '../routing/location-store.js';

/** One entry of a menu: an action, or a page of the app. */
export type MenuItem =
  | {
      readonly label: string;
      readonly onSelect: () => void;
      readonly danger?: boolean;
      readonly href?: undefined;
    }
  | { readonly label: string; readonly href: string; readonly onSelect?: undefined };

/**
 * A "⋯" button with a menu (the WAI-ARIA menu button pattern): the button says what the menu is
 * for (`label`), opens it with a click, Enter, Space or ArrowDown and puts the focus on the first
 * item; arrows, Home and End move between items, Escape closes it and gives the focus back to
 * the button, Tab or a click elsewhere closes it. Choosing an item closes the menu first, so an
 * item that opens a form can move the focus there.
 */
export function Menu({
  label,
  items,
  children = '⋯',
  className,
}: {
  label: string;
  items: readonly MenuItem[];
  /** What the button shows; its accessible name is always `label`. */
  children?: ReactNode;
  className?: string;
}): ReactNode {
  const [open, setOpen] = useState(false);
  const id = useId();
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return undefined;
    menu.current?.querySelector<HTMLElement>('[role="menuitem"]')?.focus();
    const outside = (event: PointerEvent): void => {
      const target = event.target as Node;
      if (!menu.current?.contains(target) && !button.current?.contains(target)) setOpen(false);
    };
    document.addEventListener('pointerdown', outside);
    return () => document.removeEventListener('pointerdown', outside);
  }, [open]);

  if (items.length === 0) return null;

  const close = (focusButton: boolean): void => {
    setOpen(false);
    if (focusButton) button.current?.focus();
  };
  const move = (event: KeyboardEvent): void => {
    const entries = [...(menu.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? [])];
    const at = entries.indexOf(document.activeElement as HTMLElement);
    let next: number | undefined;
    if (event.key === 'ArrowDown') next = (at + 1) % entries.length;
    else if (event.key === 'ArrowUp') next = (at - 1 + entries.length) % entries.length;
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = entries.length - 1;
    else if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      close(true);
      return;
    } else if (event.key === 'Tab') {
      close(false);
      return;
    }
    if (next === undefined) return;
    event.preventDefault();
    entries[next]?.focus();
  };
  const choose = (item: MenuItem): void => {
    close(item.href === undefined);
    if (item.href !== undefined) navigate(item.href);
    else item.onSelect();
  };

  return (
    <div className={`menu-wrap${className ? ` ${className}` : ''}`}>
      <button
        ref={button}
        type="button"
        className="menu-button"
        aria-label={label}
        title={label}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? id : undefined}
        onClick={() => setOpen((v) => !v)}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown' && !open) {
            e.preventDefault();
            setOpen(true);
          }
        }}
      >
        {children}
      </button>
      {open ? (
        <div ref={menu} id={id} role="menu" aria-label={label} className="menu" onKeyDown={move}>
          {items.map((item) =>
            item.href !== undefined ? (
              <a
                key={item.label}
                role="menuitem"
                href={item.href}
                tabIndex={-1}
                onClick={(e) => {
                  if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
                  e.preventDefault();
                  choose(item);
                }}
              >
                {item.label}
              </a>
            ) : (
              <button
                key={item.label}
                type="button"
                role="menuitem"
                tabIndex={-1}
                className={item.danger ? 'menu-danger' : undefined}
                onClick={() => choose(item)}
              >
                {item.label}
              </button>
            ),
          )}
        </div>
      ) : null}
    </div>
  );
}
