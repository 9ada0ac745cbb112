// taskgate's live task board: four columns by status, loaded with the `tasks` query and kept
// current by the `taskUpdated` subscription over graphql-ws. It reads `lastEventId` before the
// load and subscribes `after` it, so no change falls between the snapshot and the feed; after a
// network drop it reconnects and resubscribes `after` the last event it saw, so it catches up
// with nothing missed. Requests are signed with the pasted key (signing.js). No polling.
(function () {
  'use strict';

  var GRAPHQL_PATH = '/graphql';
  var JSON_TYPE = 'application/json';
  var PAGE_SIZE = 100;
  var STATUSES = ['PENDING', 'IN_PROGRESS', 'SUCCESS', 'FAILED'];
  var STATUS_NAMES = { PENDING: 'pending', IN_PROGRESS: 'in progress', SUCCESS: 'success', FAILED: 'failed' };
  var TASK_FIELDS = 'id description status type objectUuid lastUpdate version created { at by }';
  var FEED = 'subscription BoardFeed($after: ID) { taskUpdated(after: $after) { id kind taskId version task { ' + TASK_FIELDS + ' } } }';

  var signing = window.taskgateSigning;
  var tasks = new Map(); // id -> task as the API returns it
  var lastEventId = null; // the newest event applied; resubscriptions start after it
  var client = null;
  var feed = null; // dispose function of the current subscription
  var run = 0; // bumped when the key changes: answers of an older run are dropped
  var openTaskId = null;
  // For tests and the curious: every `after` the board subscribed with, and events applied.
  var stats = { subscribedAfter: [], events: 0, loads: 0 };

  function $(selector, root) {
    return (root || document).querySelector(selector);
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function setConnection(state, text) {
    var badge = document.getElementById('connection');
    badge.dataset.state = state;
    badge.textContent = text;
  }

  /** One signed GraphQL request over HTTP; throws with the first error's message. */
  async function graphql(query, variables) {
    var body = JSON.stringify({ query: query, variables: variables || {} });
    var headers = Object.assign({ 'Content-Type': JSON_TYPE, Accept: JSON_TYPE }, await signing.signatureHeaders('POST', GRAPHQL_PATH, body, JSON_TYPE));
    var response = await fetch(GRAPHQL_PATH, { method: 'POST', headers: headers, body: body, credentials: 'same-origin' });
    var result;
    try {
      result = await response.json();
    } catch (error) {
      throw new Error('HTTP ' + response.status);
    }
    if (result.errors && result.errors.length) throw new Error(result.errors[0].message);
    if (!response.ok) throw new Error(result.error || 'HTTP ' + response.status);
    return result.data;
  }

  function when(iso) {
    var date = new Date(iso);
    return isNaN(date) ? '' : date.toLocaleString();
  }

  /** Today's changes by time only; older ones by date too. */
  function shortWhen(iso) {
    var date = new Date(iso);
    if (isNaN(date)) return '';
    var time = date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    return date.toDateString() === new Date().toDateString() ? time : date.toLocaleDateString() + ' ' + time;
  }

  // ---- rendering -------------------------------------------------------------------------

  function card(task) {
    var item = el('li', 'card');
    item.tabIndex = 0;
    item.dataset.id = task.id;
    item.dataset.status = task.status;
    item.appendChild(el('div', 'description', task.description));
    var meta = el('div', 'meta');
    if (task.type) meta.appendChild(el('span', 'type', task.type));
    meta.appendChild(el('span', 'updated', shortWhen(task.lastUpdate)));
    meta.appendChild(el('span', 'version', 'v' + task.version));
    item.appendChild(meta);
    item.title = task.id;
    return item;
  }

  /** Newest change first in every column. */
  function byLastUpdate(a, b) {
    return Date.parse(b.lastUpdate) - Date.parse(a.lastUpdate) || (a.id < b.id ? -1 : 1);
  }

  function render(changedId) {
    STATUSES.forEach(function (status) {
      var column = $('.column[data-status="' + status + '"]');
      var list = $('.cards', column);
      var inColumn = [];
      tasks.forEach(function (task) {
        if (task.status === status) inColumn.push(task);
      });
      inColumn.sort(byLastUpdate);
      list.replaceChildren.apply(list, inColumn.map(card));
      $('.count', column).textContent = String(inColumn.length);
      column.classList.toggle('has-tasks', inColumn.length > 0);
    });
    if (changedId) {
      var moved = $('.card[data-id="' + changedId + '"]');
      if (moved) moved.classList.add('flash');
    }
  }

  /** Keeps the newer of two copies of a task (events and pages can arrive in any order). */
  function upsert(task) {
    var known = tasks.get(task.id);
    if (known && known.version > task.version) return false;
    tasks.set(task.id, task);
    return true;
  }

  // ---- details ---------------------------------------------------------------------------

  async function showDetails(id) {
    openTaskId = id;
    var panel = document.getElementById('details');
    var data;
    try {
      data = await graphql(
        'query BoardTaskHistory($id: ID!) { task(id: $id) { ' + TASK_FIELDS + ' log history { id status previousStatus log at by version } } }',
        { id: id },
      );
    } catch (error) {
      setConnection('refused', 'Could not read the task: ' + error.message);
      return;
    }
    if (openTaskId !== id || !data.task) return;
    var task = data.task;
    $('#details-title').textContent = task.description;
    var facts = $('#details-facts');
    facts.replaceChildren();
    [
      ['Id', task.id],
      ['Status', STATUS_NAMES[task.status]],
      ['Type', task.type || '—'],
      ['Object', task.objectUuid || '—'],
      ['Created', when(task.created.at) + ' by ' + task.created.by],
      ['Updated', when(task.lastUpdate)],
      ['Version', String(task.version)],
    ].forEach(function (pair) {
      facts.appendChild(el('dt', '', pair[0]));
      facts.appendChild(el('dd', '', pair[1]));
    });
    var history = $('#history');
    history.replaceChildren.apply(
      history,
      task.history
        .slice()
        .sort(function (a, b) {
          return a.version - b.version;
        })
        .map(function (event) {
          var item = el('li');
          item.dataset.status = event.status;
          var change = event.previousStatus && event.previousStatus !== event.status ? STATUS_NAMES[event.previousStatus] + ' → ' + STATUS_NAMES[event.status] : event.previousStatus ? 'log updated (' + STATUS_NAMES[event.status] + ')' : 'created ' + STATUS_NAMES[event.status];
          item.appendChild(el('div', 'change', 'v' + event.version + ' · ' + change));
          item.appendChild(el('div', 'when', when(event.at) + ' by ' + event.by));
          if (event.log) item.appendChild(el('div', 'log', event.log));
          return item;
        }),
    );
    panel.hidden = false;
  }

  function closeDetails() {
    openTaskId = null;
    document.getElementById('details').hidden = true;
  }

  // ---- the feed --------------------------------------------------------------------------

  function applyEvent(event) {
    if (lastEventId !== null && Number(event.id) <= Number(lastEventId)) return;
    lastEventId = event.id;
    stats.events++;
    // A deleted task's event has no task: its card goes.
    if (event.kind === 'DELETED' || !event.task) {
      tasks.delete(event.taskId);
      if (openTaskId === event.taskId) closeDetails();
      return render();
    }
    if (upsert(event.task)) render(event.task.id);
    if (openTaskId === event.task.id) void showDetails(openTaskId);
  }

  function subscribe(myRun) {
    if (feed) feed();
    stats.subscribedAfter.push(lastEventId);
    feed = client.subscribe(
      { query: FEED, variables: { after: lastEventId } },
      {
        next: function (result) {
          if (myRun !== run) return;
          if (result.errors && result.errors.length) return setConnection('refused', result.errors[0].message);
          if (result.data) applyEvent(result.data.taskUpdated);
        },
        error: function () {
          // The socket went away: `connected` resubscribes after the last event seen.
        },
        complete: function () {},
      },
    );
  }

  function connect(myRun) {
    var url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + GRAPHQL_PATH;
    client = window.graphqlWs.createClient({
      url: url,
      lazy: false,
      retryAttempts: Infinity,
      // 0.5 s, 1 s, 2 s ... at most 8 s, with jitter so a restarted server is not stormed.
      retryWait: function (retries) {
        var ms = Math.min(500 * Math.pow(2, retries), 8000) * (0.75 + Math.random() / 2);
        return new Promise(function (resolve) {
          setTimeout(resolve, ms);
        });
      },
      // A refused key (4403) stays refused until the user pastes another.
      shouldRetry: function (closeEvent) {
        return !(closeEvent && closeEvent.code === 4403);
      },
      connectionParams: function () {
        return signing.connectionParams(GRAPHQL_PATH);
      },
      onNonLazyError: function (error) {
        if (myRun !== run) return;
        var refused = error && error.code === 4403;
        setConnection('refused', refused ? 'Key refused: paste a valid key' : 'Disconnected');
      },
      on: {
        connected: function () {
          if (myRun !== run) return;
          setConnection('live', 'Live');
          subscribe(myRun);
        },
        closed: function () {
          if (myRun !== run) return;
          // Let go of the old subscription; the next `connected` makes one after the last event.
          if (feed) feed();
          feed = null;
          setConnection('reconnecting', 'Reconnecting…');
        },
      },
    });
  }

  /** Reads where the feed is, loads every task page by page, then follows the feed from there. */
  async function start() {
    var myRun = ++run;
    if (feed) feed();
    feed = null;
    if (client) client.dispose();
    client = null;
    tasks.clear();
    lastEventId = null;
    render();
    setConnection('connecting', 'Loading…');
    try {
      var from = (await graphql('query BoardFeedPosition { lastEventId }')).lastEventId;
      var after = null;
      var loaded = [];
      do {
        var page = (
          await graphql(
            'query BoardTasks($first: Int!, $after: String) { tasks(first: $first, after: $after) { edges { node { ' + TASK_FIELDS + ' } } pageInfo { hasNextPage endCursor } } }',
            { first: PAGE_SIZE, after: after },
          )
        ).tasks;
        page.edges.forEach(function (edge) {
          loaded.push(edge.node);
        });
        after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      } while (after);
      if (myRun !== run) return;
      loaded.forEach(upsert);
      lastEventId = from;
      stats.loads++;
      render();
    } catch (error) {
      if (myRun === run) setConnection('refused', 'Could not load the tasks: ' + error.message);
      return;
    }
    connect(myRun);
  }

  // ---- wiring ----------------------------------------------------------------------------

  document.getElementById('board').addEventListener('click', function (event) {
    var target = event.target.closest('.card');
    if (target) void showDetails(target.dataset.id);
  });
  document.getElementById('board').addEventListener('keydown', function (event) {
    var target = event.target.closest && event.target.closest('.card');
    if (target && (event.key === 'Enter' || event.key === ' ')) {
      event.preventDefault();
      void showDetails(target.dataset.id);
    }
  });
  document.getElementById('details-close').addEventListener('click', closeDetails);
  document.addEventListener('keydown', function (event) {
    if (event.key === 'Escape') closeDetails();
  });
  signing.bindKeyBar(start);
  void start();

  window.taskgateBoard = {
    stats: stats,
    lastEventId: function () {
      return lastEventId;
    },
    taskStatus: function (id) {
      var task = tasks.get(id);
      return task ? task.status : null;
    },
  };
})();
