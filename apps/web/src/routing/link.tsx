import type { AnchorHTMLAttributes, MouseEvent, ReactNode } from 'react';
import { navigate } from './location-store.js';

/** An in-app link: a real `<a href>` (keyboard, middle-click, copy link) that navigates in place. */
export function Link(
  props: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string; children?: ReactNode },
): ReactNode {
  const { href, onClick, ...rest } = props;
  const follow = (event: MouseEvent<HTMLAnchorElement>): void => {
    onClick?.(event);
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(href);
  };
  return <a href={href} onClick={follow} {...rest} />;
}
