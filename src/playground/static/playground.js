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

  function fetcher(graphiqlParams, options) {
    var params = Object.assign({}, graphiqlParams, { operationName: currentOperationName(graphiqlParams) });
    if (isSubscription(params)) {
      return subscriptions().iterate({ query: params.query, variables: params.variables || undefined, operationName: params.operationName || undefined });
    }
    return fetchOverHttp(params, options);
  }

  function resetLink() {
    if (wsClient) wsClient.dispose();
    wsClient = null;
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

  signing.bindKeyBar(resetLink);
  var root = window.ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(window.React.createElement(window.GraphiQL, { fetcher: fetcher, defaultQuery: defaultQuery, shouldPersistHeaders: false }));

  // For tests and for people checking a signature by hand.
  window.taskgatePlayground = {
    stringToSign: signing.stringToSign,
    contentMd5: signing.contentMd5,
    hmacSha1: signing.hmacSha1,
    isSubscription: isSubscription,
  };
})();
