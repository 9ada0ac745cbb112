// taskgate's offline playground: GraphiQL with a fetcher that signs each request with the pasted
// key (signing.js) and runs subscriptions over graphql-ws with the same signature in connectionParams.
(function () {
  'use strict';

  var GRAPHQL_PATH = '/graphql';
  var JSON_TYPE = 'application/json';
  var signing = window.taskgateSigning;
  var wsClient = null;

  async function fetchOverHttp(params, options) {
    var body = JSON.stringify({ query: params.query, variables: params.variables, operationName: params.operationName });
    var headers = Object.assign(
      { 'Content-Type': JSON_TYPE, Accept: JSON_TYPE },
      (options && options.headers) || {},
      await signing.signatureHeaders('POST', GRAPHQL_PATH, body, JSON_TYPE),
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
        connectionParams: function () {
          return signing.connectionParams(GRAPHQL_PATH);
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

  function isIntrospection(params) {
    return params.operationName === 'IntrospectionQuery' || /\b__schema\b/.test(String(params.query || ''));
  }

  /** A plain sentence above the editor about why Docs and autocomplete are missing; null hides it. */
  function showSchemaNotice(parts) {
    var notice = document.getElementById('schema-notice');
    if (!parts) {
      notice.hidden = true;
      notice.replaceChildren();
      return;
    }
    notice.replaceChildren.apply(
      notice,
      parts.map(function (part) {
        if (typeof part === 'string') return document.createTextNode(part);
        var code = document.createElement('code');
        code.textContent = part.code;
        return code;
      }),
    );
    notice.hidden = false;
  }

  /**
   * GraphiQL loads the schema (Docs, autocomplete) with an introspection query. When the server
   * refuses it, say why in words a person can act on, instead of "Error fetching schema".
   */
  async function introspect(params, options) {
    var result = await fetchOverHttp(params, options);
    var message = result && result.errors && result.errors.length ? String(result.errors[0].message) : '';
    var reason = result && result.errors && result.errors[0] && result.errors[0].extensions && result.errors[0].extensions.reason;
    if (result && result.data && result.data.__schema) {
      showSchemaNotice(null);
    } else if (/introspection/i.test(message)) {
      showSchemaNotice([
        'Introspection is off on this server (production mode turns it off), so Docs and autocomplete cannot load. Queries still run. To turn it on, start taskgate with ',
        { code: 'TASKGATE_INTROSPECTION=on' },
        '.',
      ]);
      result = { errors: [{ message: 'Introspection is off on this server: set TASKGATE_INTROSPECTION=on to load Docs and autocomplete. Queries still run.' }] };
    } else if (reason || /sign|authori[sz]/i.test(message)) {
      showSchemaNotice([signing.signing() ? 'The key was refused (' + (reason || message) + '): paste a valid access key id and secret above.' : 'Paste an access key id and secret above: the schema (Docs, autocomplete) loads once requests are signed.']);
    }
    return result;
  }

  function fetcher(graphiqlParams, options) {
    var params = Object.assign({}, graphiqlParams, { operationName: currentOperationName(graphiqlParams) });
    if (isSubscription(params)) {
      return subscriptions().iterate({ query: params.query, variables: params.variables || undefined, operationName: params.operationName || undefined });
    }
    if (isIntrospection(params)) return introspect(params, options);
    return fetchOverHttp(params, options);
  }

  function resetLink() {
    if (wsClient) wsClient.dispose();
    wsClient = null;
  }

  /**
   * GraphiQL fetches the schema again whenever it is given a new fetcher: a fresh one each time
   * the key changes, so Docs and autocomplete follow the key without a reload.
   */
  function render() {
    var fresh = function (params, options) {
      return fetcher(params, options);
    };
    root.render(window.React.createElement(window.GraphiQL, { fetcher: fresh, defaultQuery: defaultQuery, shouldPersistHeaders: false }));
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

  var root = window.ReactDOM.createRoot(document.getElementById('graphiql'));
  signing.bindKeyBar(function () {
    resetLink();
    render();
  });
  render();

  // For tests and for people checking a signature by hand.
  window.taskgatePlayground = {
    stringToSign: signing.stringToSign,
    contentMd5: signing.contentMd5,
    hmacSha1: signing.hmacSha1,
    isSubscription: isSubscription,
  };
})();
