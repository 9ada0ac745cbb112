// Shared by taskgate's pages (playground, board): the pasted key, kept in sessionStorage for this
// tab only, and the VirtShell request signature (version 2) made with it:
//   Signature    = Base64(HMAC-SHA1(secret, method \n host \n Content-MD5 \n Content-Type \n date \n resource))
//   resource     = the path, plus "?" and the query parameters sorted and RFC 3986 encoded when there are any
//   HTTP:        X-VirtShell-Authorization: <key id or user id>:<signature>, X-VirtShell-Date (ISO 8601
//                with milliseconds, so identical writes differ), Content-MD5
//   WebSocket:   connectionParams {authorization, date} signing "GRAPHQL-WS ... /graphql", afresh on every connect
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

  function stringToSign(method, host, md5, type, date, resource) {
    return [method, host, md5, type, date, resource].join('\n');
  }

  /** RFC 3986: unreserved characters kept, every other UTF-8 byte as %XX in upper case. */
  function rfc3986(value) {
    return encodeURIComponent(value).replace(/[!'()*]/g, function (c) {
      return '%' + c.charCodeAt(0).toString(16).toUpperCase();
    });
  }

  /** The signed resource of a path with its query: parameters read as the server reads them, re-encoded, sorted. */
  function canonicalResource(pathAndQuery) {
    var q = pathAndQuery.indexOf('?');
    if (q === -1) return pathAndQuery;
    var pairs = [];
    new URLSearchParams(pathAndQuery.slice(q)).forEach(function (value, name) {
      if (!/^X-VirtShell-(Key|Expires|Signature)$/.test(name)) pairs.push([rfc3986(name), rfc3986(value)]);
    });
    if (!pairs.length) return pathAndQuery.slice(0, q);
    pairs.sort(function (a, b) {
      return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
    });
    return pathAndQuery.slice(0, q) + '?' + pairs.map(function (p) { return p[0] + '=' + p[1]; }).join('&');
  }

  function signing() {
    return Boolean(key.user && key.secret);
  }

  /** Headers that sign one HTTP request to `path` (with its query, if any); none while no key is set. */
  async function signatureHeaders(method, path, body, type) {
    if (!signing()) return {};
    var date = new Date().toISOString();
    var md5 = body ? contentMd5(body) : '';
    var signature = await hmacSha1(key.secret, stringToSign(method, location.host, md5, type || '', date, canonicalResource(path)));
    var headers = { 'X-VirtShell-Date': date, 'X-VirtShell-Authorization': key.user + ':' + signature };
    if (md5) headers['Content-MD5'] = md5;
    return headers;
  }

  /** graphql-ws connectionParams for a connection to `path` (signed afresh on every connect); empty while no key is set. */
  async function connectionParams(path) {
    if (!signing()) return {};
    var date = new Date().toISOString();
    var signature = await hmacSha1(key.secret, stringToSign('GRAPHQL-WS', location.host, '', '', date, path));
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
      if (!useKey(user.value, secret.value)) return showKeyStatus('Paste both the key id (k_…) or user id, and the secret.', 'problem');
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
    canonicalResource: canonicalResource,
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
