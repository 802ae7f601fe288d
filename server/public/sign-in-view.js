/** The sign-in screen: asks once for the server's token; the server keeps the session in a cookie. */
import { ApiRequestError, signIn } from './api.js';
import { h, replace } from './dom.js';

/**
 * Renders the sign-in form into `root`; calls `onSignedIn` after a successful sign-in.
 * @param {{ reason?: string, onSignedIn: () => void, publicRead?: boolean }} options
 */
export function renderSignIn(root, { reason, onSignedIn, publicRead }) {
  const input = h('input', {
    class: 'input',
    id: 'sign-in-token',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
    'data-testid': 'sign-in-token',
    'aria-describedby': 'sign-in-help',
  });
  const message = h('div', { 'aria-live': 'assertive' });
  const button = h('button', { type: 'submit', class: 'button', 'data-testid': 'sign-in-submit' }, 'Sign in');
  const form = h(
    'form',
    { class: 'card sign-in-form', 'data-testid': 'sign-in-form', novalidate: true },
    h('h1', {}, 'Sign in to ShopFlow'),
    h(
      'p',
      { class: 'description', id: 'sign-in-help' },
      publicRead
        ? 'Anyone can look at this server; launching runs needs its token (SHOPFLOW_UI_TOKEN).'
        : 'This server shows its data only to people who know its token (SHOPFLOW_UI_TOKEN).',
      ' The browser keeps a session cookie, never the token.',
    ),
    reason ? h('div', { class: 'alert alert-warn', role: 'status' }, reason) : null,
    h('div', { class: 'field' }, h('label', { for: 'sign-in-token' }, 'Token'), input),
    h('div', { class: 'actions' }, button),
    message,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    replace(message);
    button.disabled = true;
    try {
      await signIn(input.value.trim());
      input.value = '';
      onSignedIn();
    } catch (error) {
      const text =
        error instanceof ApiRequestError && error.status === 429
          ? error.message
          : error instanceof ApiRequestError && error.status === 401
            ? 'That is not the token of this server.'
            : error.message;
      replace(
        message,
        h('div', { class: 'alert alert-error', role: 'alert', 'data-testid': 'sign-in-error' }, text),
      );
    } finally {
      button.disabled = false;
    }
  });
  replace(root, h('section', { class: 'page sign-in-page' }, form));
  input.focus();
}
