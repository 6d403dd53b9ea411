/**
 * The layout's breakpoints, for the code that changes what is rendered (the CSS uses the same
 * widths). A phone: one column, and a session has a single top bar.
 */
export const PHONE_QUERY = '(max-width: 760px)';
/** Wide enough to show the sessions list beside the open session. */
export const SIDEBAR_QUERY = '(min-width: 1024px)';
