// Shared by taskgate's pages (playground, board): the pasted key, kept in sessionStorage for this
// tab only, and requests signed with it by the client kit's signer (taskgate-client.js, the same
// code npm callers import as taskgate/client; signature version 2, see the README):
//   HTTP:        X-VirtShell-Authorization: <key id or user id>:<signature>, X-VirtShell-Date (ISO,
//                milliseconds), Content-MD5
//   WebSocket:   connectionParams {authorization, date} signing GRAPHQL-WS ... /graphql, afresh at
//                every (re)connect
// Needs md5.min.js (blueimp-md5) and taskgate-client.js loaded first.
(function () {
  'use strict';

  var client = window.taskgateClient;
  var store = window.sessionStorage;
  var key = { user: store.getItem('taskgate.user') || '', secret: store.getItem('taskgate.secret') || '' };

  function canSign() {
    return Boolean(window.crypto && window.crypto.subtle);
  }

  /** Base64(HMAC-SHA1(secret, UTF-8(text))) with the browser's WebCrypto. */
  function hmacSha1(secret, text) {
    return client.hmacSha1(secret, text);
  }

  /** Base64 of the MD5 digest of the body's UTF-8 bytes (blueimp-md5; WebCrypto has no MD5). */
  function contentMd5(body) {
    return client.contentMd5(body);
  }

  function signing() {
    return Boolean(key.user && key.secret);
  }

  function credentials() {
    return { key: key.user, secret: key.secret };
  }

  /** Headers that sign one HTTP request to this page's server; none while no key is set. */
  async function signatureHeaders(method, path, body, type) {
    if (!signing()) return {};
    var headers = await client.sign(credentials(), { method: method, url: new URL(path, location.href), body: body || undefined, contentType: type || undefined });
    delete headers['Content-Type'];
    return headers;
  }

  /** graphql-ws connectionParams for a connection to `path`; empty while no key is set. Call it at every (re)connect. */
  async function connectionParams(path) {
    if (!signing()) return {};
    var url = new URL(path, location.href);
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    return client.connectionParams(credentials(), url);
  }

  /** A presigned URL for `path` (the event feed, a WebSocket), for what cannot send headers. */
  function presign(path, options) {
    return client.presign(credentials(), new URL(path, location.href), options);
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
    stringToSign: function (method, host, md5, type, date, resource) {
      return client.stringToSign({ verb: method, host: host, contentMd5: md5, contentType: type, date: date, resource: resource });
    },
    canonicalResource: function (pathAndQuery) {
      return client.canonicalResource(new URL(pathAndQuery, location.href));
    },
    presign: presign,
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
