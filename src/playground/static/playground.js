// taskgate's offline playground: GraphiQL with a fetcher that signs each request with a pasted
// key (X-VirtShell-Authorization, HMAC-SHA1 over method, host, Content-MD5, Content-Type, date
// and path) and runs subscriptions over graphql-ws with the same signature in connectionParams.
(function () {
  'use strict';

  var GRAPHQL_PATH = '/graphql';
  var JSON_TYPE = 'application/json';
  var store = window.sessionStorage;
  var key = { user: store.getItem('taskgate.user') || '', secret: store.getItem('taskgate.secret') || '' };
  var wsClient = null;

  function base64(bytes) {
    var text = '';
    for (var i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]);
    return btoa(text);
  }

  /** Base64(HMAC-SHA1(secret, UTF-8(text))) with the browser's WebCrypto. */
  async function hmacSha1(secret, text) {
    if (!window.crypto || !window.crypto.subtle) {
      throw new Error('Signing needs WebCrypto, which browsers offer only on https:// pages and on localhost.');
    }
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
    var signature = await hmacSha1(key.secret, stringToSign(method, location.host, md5, type, date, path));
    var headers = { 'X-VirtShell-Date': date, 'X-VirtShell-Authorization': key.user + ':' + signature };
    if (md5) headers['Content-MD5'] = md5;
    return headers;
  }

  async function fetchOverHttp(params, options) {
    var body = JSON.stringify({ query: params.query, variables: params.variables, operationName: params.operationName });
    var headers = Object.assign(
      { 'Content-Type': JSON_TYPE, Accept: JSON_TYPE },
      (options && options.headers) || {},
      await signatureHeaders('POST', GRAPHQL_PATH, body, JSON_TYPE),
    );
    var response = await fetch(GRAPHQL_PATH, { method: 'POST', headers: headers, body: body, credentials: 'same-origin' });
    var text = await response.text();
    try {
      return JSON.parse(text);
    } catch (error) {
      return { errors: [{ message: 'HTTP ' + response.status + ': ' + text.slice(0, 500) }] };
    }
  }

  /** The WebSocket link, made on first use and remade when the key changes. */
  function subscriptions() {
    if (!wsClient) {
      var url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + GRAPHQL_PATH;
      wsClient = window.graphqlWs.createClient({
        url: url,
        lazy: true,
        connectionParams: async function () {
          if (!signing()) return {};
          var date = new Date().toUTCString();
          var signature = await hmacSha1(key.secret, stringToSign('GET', location.host, '', '', date, GRAPHQL_PATH));
          return { authorization: key.user + ':' + signature, date: date };
        },
      });
    }
    return wsClient;
  }

  /** Is the operation GraphiQL is about to run a subscription? */
  function isSubscription(params) {
    var source = String(params.query || '').replace(/#[^\n]*/g, '');
    if (params.operationName) return new RegExp('\\bsubscription\\s+' + params.operationName + '\\b').test(source);
    return /^\s*subscription\b/.test(source);
  }

  /**
   * GraphiQL can hand over the operation name of the text before the last edit; a name the
   * document does not define would fail the request, so it is dropped (one operation then runs).
   */
  function currentOperationName(params) {
    var name = params.operationName;
    if (!name) return undefined;
    var defined = new RegExp('\\b(query|mutation|subscription)\\s+' + name + '\\b').test(String(params.query || ''));
    return defined ? name : undefined;
  }

  function fetcher(graphiqlParams, options) {
    var params = Object.assign({}, graphiqlParams, { operationName: currentOperationName(graphiqlParams) });
    if (isSubscription(params)) {
      return subscriptions().iterate({ query: params.query, variables: params.variables || undefined, operationName: params.operationName || undefined });
    }
    return fetchOverHttp(params, options);
  }

  function showKeyStatus(message, kind) {
    var status = document.getElementById('key-status');
    status.textContent = message;
    status.className = kind || '';
  }

  function resetLink() {
    if (wsClient) wsClient.dispose();
    wsClient = null;
  }

  function setUpKeyBar() {
    var form = document.getElementById('key-bar');
    var user = document.getElementById('key-user');
    var secret = document.getElementById('key-secret');
    user.value = key.user;
    secret.value = key.secret;
    if (signing()) showKeyStatus('Signing requests as ' + key.user + '.', 'signed');
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      key = { user: user.value.trim(), secret: secret.value.trim() };
      if (!signing()) return showKeyStatus('Paste both the access key id and the secret.', 'problem');
      if (!window.crypto || !window.crypto.subtle) {
        return showKeyStatus('This page cannot sign: browsers offer WebCrypto only on https:// or localhost.', 'problem');
      }
      // Kept for this tab only; closing it forgets the key.
      store.setItem('taskgate.user', key.user);
      store.setItem('taskgate.secret', key.secret);
      resetLink();
      showKeyStatus('Signing requests as ' + key.user + '.', 'signed');
    });
    document.getElementById('key-forget').addEventListener('click', function () {
      key = { user: '', secret: '' };
      user.value = '';
      secret.value = '';
      store.removeItem('taskgate.user');
      store.removeItem('taskgate.secret');
      resetLink();
      showKeyStatus('Requests are sent unsigned.');
    });
  }

  var defaultQuery = [
    '# Welcome to the taskgate playground. Press the run button (or Ctrl-Enter).',
    '# Paste a key above to sign requests; more examples are in examples.graphql.',
    'query RecentTasks {',
    '  tasks(first: 10) {',
    '    totalCount',
    '    edges { node { id description status type created { at by } } }',
    '  }',
    '}',
    '',
  ].join('\n');

  setUpKeyBar();
  var root = window.ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(window.React.createElement(window.GraphiQL, { fetcher: fetcher, defaultQuery: defaultQuery, shouldPersistHeaders: false }));

  // For tests and for people checking a signature by hand.
  window.taskgatePlayground = { stringToSign: stringToSign, contentMd5: contentMd5, hmacSha1: hmacSha1, isSubscription: isSubscription };
})();
