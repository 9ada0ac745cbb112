// Shared by taskgate's pages (playground, board): the pasted key, kept in sessionStorage for this
// tab only, and the VirtShell request signature made with it:
//   Signature    = Base64(HMAC-SHA1(secret, method \n host \n Content-MD5 \n Content-Type \n date \n path))
//   HTTP:        X-VirtShell-Authorization: <user>:<signature>, X-VirtShell-Date, Content-MD5
//   WebSocket:   connectionParams {authorization: "<user>:<signature>", date} over "GET ... /graphql"
// Needs md5.min.js (blueimp-md5) loaded first.
(function () {
  'use strict';

  var store = window.sessionStorage;
  var key = { user: store.getItem('taskgate.user') || '', secret: store.getItem('taskgate.secret') || '' };

  function base64(bytes) {
    var text = '';
    for (var i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]);
    return btoa(text);
  }

  function canSign() {
    return Boolean(window.crypto && window.crypto.subtle);
  }

  /** Base64(HMAC-SHA1(secret, UTF-8(text))) with the browser's WebCrypto. */
  async function hmacSha1(secret, text) {
    if (!canSign()) throw new Error('Signing needs WebCrypto, which browsers offer only on https:// pages and on localhost.');
    var encoder = new TextEncoder();
    var cryptoKey = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-1' }, false, ['sign']);
    return base64(new Uint8Array(await crypto.subtle.sign('HMAC', cryptoKey, encoder.encode(text))));
  }

  /** Base64 of the MD5 digest of the body's UTF-8 bytes (blueimp-md5 hashes UTF-8; raw = binary digest). */
  function contentMd5(body) {
    return btoa(window.md5(body, null, true));
  }

  function stringToSign(method, host, md5, type, date, path) {
    return [method, host, md5, type, date, path].join('\n');
  }

  function signing() {
    return Boolean(key.user && key.secret);
  }

  /** Headers that sign one HTTP request; none while no key is set. */
  async function signatureHeaders(method, path, body, type) {
    if (!signing()) return {};
    var date = new Date().toUTCString();
    var md5 = body ? contentMd5(body) : '';
    var signature = await hmacSha1(key.secret, stringToSign(method, location.host, md5, type || '', date, path));
    var headers = { 'X-VirtShell-Date': date, 'X-VirtShell-Authorization': key.user + ':' + signature };
    if (md5) headers['Content-MD5'] = md5;
    return headers;
  }

  /** graphql-ws connectionParams for a connection to `path`; empty while no key is set. */
  async function connectionParams(path) {
    if (!signing()) return {};
    var date = new Date().toUTCString();
    var signature = await hmacSha1(key.secret, stringToSign('GET', location.host, '', '', date, path));
    return { authorization: key.user + ':' + signature, date: date };
  }

  /** Keeps a key for this tab; closing the tab forgets it. */
  function useKey(user, secret) {
    key = { user: String(user || '').trim(), secret: String(secret || '').trim() };
    if (!signing()) return false;
    store.setItem('taskgate.user', key.user);
    store.setItem('taskgate.secret', key.secret);
    return true;
  }

  function forgetKey() {
    key = { user: '', secret: '' };
    store.removeItem('taskgate.user');
    store.removeItem('taskgate.secret');
  }

  function showKeyStatus(message, kind) {
    var status = document.getElementById('key-status');
    status.textContent = message;
    status.className = kind || '';
  }

  /**
   * Wires the key bar both pages share (#key-bar form with #key-user, #key-secret, #key-forget,
   * #key-status); `onChange` runs after a key is set or forgotten (reconnect, reload).
   */
  function bindKeyBar(onChange) {
    var form = document.getElementById('key-bar');
    var user = document.getElementById('key-user');
    var secret = document.getElementById('key-secret');
    var unsigned = 'Requests are sent unsigned.';
    user.value = key.user;
    secret.value = key.secret;
    showKeyStatus(signing() ? 'Signing requests as ' + key.user + '.' : unsigned, signing() ? 'signed' : '');
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      if (!useKey(user.value, secret.value)) return showKeyStatus('Paste both the access key id and the secret.', 'problem');
      if (!canSign()) {
        forgetKey();
        return showKeyStatus('This page cannot sign: browsers offer WebCrypto only on https:// or localhost.', 'problem');
      }
      showKeyStatus('Signing requests as ' + key.user + '.', 'signed');
      onChange();
    });
    document.getElementById('key-forget').addEventListener('click', function () {
      forgetKey();
      user.value = '';
      secret.value = '';
      showKeyStatus(unsigned);
      onChange();
    });
  }

  window.taskgateSigning = {
    bindKeyBar: bindKeyBar,
    hmacSha1: hmacSha1,
    contentMd5: contentMd5,
    stringToSign: stringToSign,
    signatureHeaders: signatureHeaders,
    connectionParams: connectionParams,
    signing: signing,
    canSign: canSign,
    user: function () { return key.user; },
    secret: function () { return key.secret; },
    useKey: useKey,
    forgetKey: forgetKey,
  };
})();
