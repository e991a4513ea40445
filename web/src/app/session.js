// Signing in and out (POST/GET/DELETE /session, docs/api.md "People and sessions"). The session cookie is
// HttpOnly, so the page keeps only the CSRF value it is given (api.js sends it on writes) and who is signed
// in. A page reloaded asks GET /session only when this browser signed in before, so that an anonymous
// visitor's page makes no request that is bound to fail.

import { fetchJson, sessionUrl, setCsrf } from '../api.js';
import { esc } from '../format.js';
import { label, t } from '../i18n.js';
import { openDialog } from './dialog.js';

const $ = (sel) => document.querySelector(sel);
const HINT = 'landguard.signed_in';

function remember(on) {
  try {
    if (on) window.localStorage.setItem(HINT, '1');
    else window.localStorage.removeItem(HINT);
  } catch {
    /* private mode: a reload forgets the session */
  }
}

function remembered() {
  try {
    return window.localStorage.getItem(HINT) === '1';
  } catch {
    return false;
  }
}

/** The sign-in control in the top bar; `onChange(who)` runs with the person signed in, or null. */
export function createSession({ config, toast, onChange }) {
  let who = null;
  const el = $('#session');
  function set(next) {
    who = next;
    setCsrf(next && next.csrf);
    remember(Boolean(next));
    render();
    onChange(who);
  }
  function render() {
    if (!who) {
      el.innerHTML = `<button type="button" id="sign-in-button" class="ghost">${esc(t('session.sign_in'))}</button>`;
      el.querySelector('#sign-in-button').addEventListener('click', openSignIn);
      return;
    }
    el.innerHTML = `<span id="session-who" class="session-who" data-role="${esc(who.role)}">${esc(
      t('session.who', { name: who.name, role: label('role', who.role) }),
    )}</span> <button type="button" id="sign-out-button" class="ghost">${esc(t('session.sign_out'))}</button>`;
    el.querySelector('#sign-out-button').addEventListener('click', signOut);
  }
  function openSignIn() {
    const dlg = openDialog(
      'sign-in-dialog',
      `<h2>${esc(t('session.title'))}</h2>
      <form id="sign-in-form" class="dialog-form">
        <label class="field"><span class="field-label">${esc(t('session.name'))}</span>
          <input id="sign-in-name" name="name" autocomplete="username" required></label>
        <label class="field"><span class="field-label">${esc(t('session.password'))}</span>
          <input id="sign-in-password" name="password" type="password" autocomplete="current-password" required></label>
        <p class="error" id="sign-in-error" role="alert" hidden></p>
        <div class="button-row">
          <button type="submit" class="primary" id="sign-in-submit">${esc(t('session.submit'))}</button>
          <button type="button" class="ghost" data-close>${esc(t('session.cancel'))}</button>
        </div>
      </form>`,
    );
    dlg.querySelector('#sign-in-name').focus();
    dlg.querySelector('#sign-in-form').addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const err = dlg.querySelector('#sign-in-error');
      err.hidden = true;
      try {
        const body = { name: dlg.querySelector('#sign-in-name').value.trim(), password: dlg.querySelector('#sign-in-password').value };
        set(await fetchJson(sessionUrl(config.apiBase), { config, method: 'POST', body }));
        dlg.close();
      } catch (e) {
        err.textContent = e.message;
        err.hidden = false;
      }
    });
  }
  async function signOut() {
    try {
      await fetchJson(sessionUrl(config.apiBase), { config, method: 'DELETE' });
    } catch (e) {
      toast(t('app.error', { detail: e.message }), 'error');
    }
    set(null);
    toast(t('session.signed_out'));
  }
  async function restore() {
    if (!remembered()) return;
    try {
      set(await fetchJson(sessionUrl(config.apiBase), { config }));
    } catch {
      set(null);
    }
  }
  render();
  return {
    restore,
    render,
    get who() {
      return who;
    },
    /** Whether the person signed in may write (editor, approver, admin). */
    mayWrite() {
      return Boolean(who && ['editor', 'approver', 'admin'].includes(who.role));
    },
  };
}
