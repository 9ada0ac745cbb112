// taskgate's live task board: four columns by status, loaded with the `tasks` query and kept
// current by the `taskUpdated` subscription over graphql-ws. It reads `lastEventId` before the
// load and subscribes `after` it, so no change falls between the snapshot and the feed; after a
// network drop it reconnects and resubscribes `after` the last event it saw, so it catches up
// with nothing missed. Requests are signed with the pasted key (signing.js). No polling.
//
// Built for big, busy feeds (10,000 tasks, 50 changes a second): every column keeps its tasks
// in a sorted array (newest change first) and an event moves one task from one array to another
// by binary search; the DOM holds only the cards a column's scroll window shows (every card has
// the same height, so a position is index × row height), and all changes that arrive between
// two frames are drawn in one requestAnimationFrame, touching only the columns they changed.
(function () {
  'use strict';

  var GRAPHQL_PATH = '/graphql';
  var JSON_TYPE = 'application/json';
  // 200 tasks a page: 50 requests for 10,000 tasks, each below the cost from which the server
  // counts a query as costly and spaces those out per key (TASKGATE_FAIR_HEAVY_COST). A smaller
  // largest page (TASKGATE_MAX_PAGE_SIZE) is read from the server's refusal.
  var PAGE_SIZE = 200;
  var ROW = 68; // px per card slot: the card (60 px, see board.css) and the gap below it
  var OVERSCAN = 4; // cards drawn beyond each edge of a column's window, so a scroll does not show blanks
  var FLASH_MS = 1200;
  var STATUSES = ['PENDING', 'IN_PROGRESS', 'SUCCESS', 'FAILED'];
  var STATUS_NAMES = { PENDING: 'pending', IN_PROGRESS: 'in progress', SUCCESS: 'success', FAILED: 'failed' };
  var TASK_FIELDS = 'id description status stage type objectUuid lastUpdate version created { at by }';
  var FEED = 'subscription BoardFeed($after: ID) { taskUpdated(after: $after) { id kind taskId version task { ' + TASK_FIELDS + ' } } }';

  var signing = window.taskgateSigning;
  var tasks = new Map(); // id -> task as the API returns it, plus _t (lastUpdate in ms) and _h (search text)
  var columns = {}; // status -> column (see makeColumn)
  var typeCounts = new Map(); // type -> number of tasks, for the type filter
  var filter = { text: '', type: '' };
  var lastEventId = null; // the newest event applied; resubscriptions start after it
  var client = null;
  var feed = null; // dispose function of the current subscription
  var run = 0; // bumped when the key changes: answers of an older run are dropped
  var openTaskId = null;
  var frame = 0; // the pending requestAnimationFrame, 0 when none
  var flashUntil = new Map(); // id -> time until which its card is highlighted as just changed
  // For tests, the bench and the curious: every `after` the board subscribed with, events applied,
  // and (when window.taskgateBoardTrace is an array) the time each event took to reach the screen.
  var stats = { subscribedAfter: [], events: 0, loads: 0, frames: 0, drawMsMax: 0, drawMsTotal: 0 };
  var received = []; // performance.now() of events applied since the last frame (tracing only)

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
    if (result.errors && result.errors.length) {
      var failure = new Error(result.errors[0].message);
      var extensions = result.errors[0].extensions || {};
      failure.code = extensions.code;
      failure.retryAfter = extensions.retryAfter;
      failure.reason = extensions.reason;
      throw failure;
    }
    if (!response.ok) throw new Error(result.error || 'HTTP ' + response.status);
    return result.data;
  }

  function when(iso) {
    var date = new Date(iso);
    return isNaN(date) ? '' : date.toLocaleString();
  }

  var timeFormat = new Intl.DateTimeFormat([], { hour: '2-digit', minute: '2-digit' });
  var dateFormat = new Intl.DateTimeFormat([], { month: 'short', day: 'numeric' });
  /** Today's changes by time only; older ones by date too. */
  function shortWhen(ms) {
    if (isNaN(ms)) return '';
    var date = new Date(ms);
    var time = timeFormat.format(date);
    return date.toDateString() === new Date().toDateString() ? time : dateFormat.format(date) + ' ' + time;
  }

  var numberFormat = new Intl.NumberFormat('en-US');
  function count(n) {
    return numberFormat.format(n);
  }

  /** The task's status word as its writer wrote it (legacy callers' words), else the phase's name. */
  function stageOf(task) {
    return task.stage || STATUS_NAMES[task.status] || String(task.status).toLowerCase();
  }

  // ---- the model: one sorted array per column ------------------------------------------

  /** Newest change first; ties by id, so the order is total and binary search finds a task. */
  function before(a, b) {
    return a._t !== b._t ? a._t > b._t : a.id < b.id;
  }

  /** Where `task` goes in `list` (the first index whose task does not come before it). */
  function positionOf(list, task) {
    var low = 0;
    var high = list.length;
    while (low < high) {
      var mid = (low + high) >>> 1;
      if (before(list[mid], task)) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  function insertSorted(list, task) {
    list.splice(positionOf(list, task), 0, task);
  }

  function removeSorted(list, task) {
    var at = positionOf(list, task);
    if (list[at] !== task) at = list.indexOf(task);
    if (at >= 0) list.splice(at, 1);
  }

  function matches(task) {
    if (filter.type && task.type !== filter.type) return false;
    return !filter.text || task._h.indexOf(filter.text) !== -1;
  }

  function filtering() {
    return Boolean(filter.text || filter.type);
  }

  function prepare(task) {
    task._t = Date.parse(task.lastUpdate);
    task._h = (task.description + '\n' + (task.type || '') + '\n' + stageOf(task)).toLowerCase();
    return task;
  }

  function countType(type, delta) {
    if (!type) return;
    var n = (typeCounts.get(type) || 0) + delta;
    if (n > 0) typeCounts.set(type, n);
    else typeCounts.delete(type);
    if (n === delta || n <= 0) typeOptionsDirty = true;
  }

  /** Keeps the newer of two copies of a task (events and pages can arrive in any order). */
  function upsert(task) {
    var known = tasks.get(task.id);
    if (known && known.version > task.version) return false;
    prepare(task);
    if (known) {
      removeFrom(known);
      countType(known.type, -1);
    }
    tasks.set(task.id, task);
    countType(task.type, 1);
    var column = columns[task.status];
    if (column) {
      insertSorted(column.all, task);
      if (column.shown !== column.all && matches(task)) insertSorted(column.shown, task);
      column.dirty = true;
    }
    return true;
  }

  function removeFrom(task) {
    var column = columns[task.status];
    if (!column) return;
    removeSorted(column.all, task);
    if (column.shown !== column.all) removeSorted(column.shown, task);
    column.dirty = true;
  }

  /** Forgets a deleted task. */
  function remove(id) {
    var known = tasks.get(id);
    if (!known) return;
    removeFrom(known);
    countType(known.type, -1);
    tasks.delete(id);
  }

  /** Recomputes what every column shows after the search or the type filter changed. */
  function applyFilter() {
    STATUSES.forEach(function (status) {
      var column = columns[status];
      column.shown = filtering() ? column.all.filter(matches) : column.all;
      column.dirty = true;
      column.scroller.scrollTop = 0;
    });
    schedule();
  }

  // ---- drawing: only what a column's window shows ----------------------------------------

  function makeColumn(status) {
    var section = $('.column[data-status="' + status + '"]');
    var scroller = $('.cards', section);
    // Gives the list its full height, so the scroll bar is right while only a window is drawn.
    var spacer = el('li', 'spacer');
    spacer.setAttribute('aria-hidden', 'true');
    scroller.appendChild(spacer);
    var column = {
      status: status,
      section: section,
      scroller: scroller,
      spacer: spacer,
      countEl: $('.count', section),
      emptyEl: $('.empty', section),
      emptyText: $('.empty', section).textContent,
      all: [],
      shown: null,
      nodes: new Map(), // id -> card element on screen
      dirty: true,
    };
    column.shown = column.all;
    scroller.addEventListener(
      'scroll',
      function () {
        column.dirty = true;
        schedule();
      },
      { passive: true },
    );
    return column;
  }

  function schedule() {
    if (!frame) frame = requestAnimationFrame(draw);
  }

  function fillCard(node, task) {
    node.dataset.status = task.status;
    node.dataset.version = String(task.version);
    node.title = task.description + '\n' + task.id + ' (version ' + task.version + ')';
    node.children[0].textContent = task.description;
    var meta = node.children[1].children;
    meta[0].textContent = stageOf(task);
    meta[1].textContent = shortWhen(task._t);
    meta[2].textContent = task.type || '';
  }

  function newCard(task) {
    var item = el('li', 'card');
    item.tabIndex = 0;
    item.dataset.id = task.id;
    item.appendChild(el('div', 'description'));
    var meta = el('div', 'meta');
    meta.appendChild(el('span', 'stage'));
    meta.appendChild(el('span', 'updated'));
    // Last, and the one that gives way (with an ellipsis) when the column is narrow.
    meta.appendChild(el('span', 'type'));
    item.appendChild(meta);
    return item;
  }

  /** Draws one column: its count, its empty state, and the cards inside its scroll window. */
  function drawColumn(column, view, now) {
    var list = column.shown;
    column.countEl.textContent = filtering() ? count(list.length) + ' of ' + count(column.all.length) : count(column.all.length);
    column.section.classList.toggle('has-tasks', list.length > 0);
    column.emptyEl.textContent = filtering() && column.all.length ? 'No matching tasks' : column.emptyText;
    column.spacer.style.height = list.length * ROW + 'px';
    var first = Math.max(0, Math.floor(view.top / ROW) - OVERSCAN);
    var last = Math.min(list.length, Math.ceil((view.top + view.height) / ROW) + OVERSCAN);
    var keep = new Map();
    for (var i = first; i < last; i++) {
      var task = list[i];
      var node = column.nodes.get(task.id);
      if (!node) {
        node = newCard(task);
        fillCard(node, task);
        column.scroller.appendChild(node);
      } else if (node.dataset.version !== String(task.version) || node.dataset.status !== task.status) {
        fillCard(node, task);
      }
      var y = i * ROW + 'px';
      if (node.style.top !== y) node.style.top = y;
      node.classList.toggle('flash', (flashUntil.get(task.id) || 0) > now);
      keep.set(task.id, node);
    }
    column.nodes.forEach(function (node, id) {
      if (!keep.has(id)) node.remove();
    });
    column.nodes = keep;
    column.dirty = false;
  }

  function draw() {
    frame = 0;
    var began = performance.now();
    var now = Date.now();
    // Read every window first, then write: one layout per frame, not one per column.
    var views = STATUSES.map(function (status) {
      var column = columns[status];
      return column.dirty ? { top: column.scroller.scrollTop, height: column.scroller.clientHeight || 800 } : null;
    });
    STATUSES.forEach(function (status, i) {
      if (views[i]) drawColumn(columns[status], views[i], now);
    });
    if (typeOptionsDirty) drawTypeOptions();
    drawSummary();
    stats.frames++;
    // The board's own share of a frame (layout and paint come after), for the bench's figures.
    var spent = performance.now() - began;
    stats.drawMsTotal += spent;
    if (spent > stats.drawMsMax) stats.drawMsMax = spent;
    if (received.length) traceFrame();
    flashUntil.forEach(function (until, id) {
      if (until <= now) flashUntil.delete(id);
    });
  }

  /**
   * Tracing for the bench: the time from an event's arrival to the first paint that shows it.
   * The callback of the frame after this one runs once this frame has been painted.
   */
  function traceFrame() {
    var arrivals = received;
    received = [];
    requestAnimationFrame(function () {
      var painted = performance.now();
      var trace = window.taskgateBoardTrace;
      if (!Array.isArray(trace)) return;
      for (var i = 0; i < arrivals.length; i++) trace.push(painted - arrivals[i]);
    });
  }

  // ---- search and type filter ------------------------------------------------------------

  var typeOptionsDirty = true;
  function drawTypeOptions() {
    typeOptionsDirty = false;
    var select = document.getElementById('type-filter');
    var types = Array.from(typeCounts.keys()).sort();
    var current = select.value;
    var options = [el('option', '', 'All types')];
    options[0].value = '';
    types.forEach(function (type) {
      var option = el('option', '', type);
      option.value = type;
      options.push(option);
    });
    select.replaceChildren.apply(select, options);
    select.value = types.indexOf(current) !== -1 ? current : '';
  }

  function drawSummary() {
    var text = count(tasks.size) + (tasks.size === 1 ? ' task' : ' tasks');
    if (filtering()) {
      var shown = 0;
      STATUSES.forEach(function (status) {
        shown += columns[status].shown.length;
      });
      text = count(shown) + ' of ' + text + ' match';
    }
    var summary = document.getElementById('summary');
    if (summary.textContent !== text) summary.textContent = text;
  }

  var searchTimer = 0;
  document.getElementById('search').addEventListener('input', function (event) {
    clearTimeout(searchTimer);
    var value = event.target.value;
    // Typing fast filters once, after a short pause, not on every key.
    searchTimer = setTimeout(function () {
      filter.text = value.trim().toLowerCase();
      applyFilter();
    }, 120);
  });
  document.getElementById('type-filter').addEventListener('change', function (event) {
    filter.type = event.target.value;
    applyFilter();
  });

  // ---- details ---------------------------------------------------------------------------

  async function showDetails(id) {
    openTaskId = id;
    var panel = document.getElementById('details');
    var data;
    try {
      data = await graphql(
        'query BoardTaskHistory($id: ID!) { task(id: $id) { ' + TASK_FIELDS + ' log history { id kind status previousStatus stage previousStage log at by version } } }',
        { id: id },
      );
    } catch (error) {
      setConnection('refused', 'Could not read the task: ' + error.message);
      return;
    }
    if (openTaskId !== id) return;
    if (!data.task) {
      closeDetails();
      return;
    }
    var task = data.task;
    $('#details-title').textContent = task.description;
    var facts = $('#details-facts');
    facts.replaceChildren();
    [
      ['Id', task.id],
      ['Status', stageOf(task) + (task.stage && task.stage !== STATUS_NAMES[task.status] ? ' (' + STATUS_NAMES[task.status] + ')' : '')],
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
          var word = event.stage || STATUS_NAMES[event.status];
          var previous = event.previousStage || (event.previousStatus && STATUS_NAMES[event.previousStatus]);
          var change = previous && previous !== word ? previous + ' → ' + word : event.previousStatus ? 'log updated (' + word + ')' : 'created ' + word;
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
    if (Array.isArray(window.taskgateBoardTrace)) received.push(performance.now());
    // A deleted task's event has no task: its card goes.
    if (event.kind === 'DELETED' || !event.task) {
      remove(event.taskId);
      flashUntil.delete(event.taskId);
      if (openTaskId === event.taskId) closeDetails();
      schedule();
      return;
    }
    if (upsert(event.task)) {
      flashUntil.set(event.task.id, Date.now() + FLASH_MS);
      schedule();
    }
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

  function clearModel() {
    tasks.clear();
    typeCounts.clear();
    typeOptionsDirty = true;
    flashUntil.clear();
    STATUSES.forEach(function (status) {
      var column = columns[status];
      column.all = [];
      column.shown = column.all;
      column.nodes.forEach(function (node) {
        node.remove();
      });
      column.nodes = new Map();
      column.dirty = true;
    });
  }

  /** Pages through `tasks`; a server with a smaller largest page says its limit, and the next page uses it. */
  async function loadAll(myRun) {
    var loaded = [];
    var after = null;
    var size = PAGE_SIZE;
    do {
      var page;
      try {
        page = (
          await graphql(
            'query BoardTasks($first: Int!, $after: String) { tasks(first: $first, after: $after) { edges { node { ' + TASK_FIELDS + ' } } pageInfo { hasNextPage endCursor } } }',
            { first: size, after: after },
          )
        ).tasks;
      } catch (error) {
        if (error.code === 'RATE_LIMITED') {
          // The key's fair share is used up for now: wait as long as the server says, then go on.
          setConnection('connecting', 'Loading… ' + count(loaded.length) + ' tasks (the server asked to wait)');
          await new Promise(function (resolve) {
            setTimeout(resolve, Math.max(1, Number(error.retryAfter) || 1) * 1000);
          });
          if (myRun !== run) return null;
          continue;
        }
        var limit = /between 0 and (\d+)/.exec(error.message);
        if (!limit || Number(limit[1]) >= size || Number(limit[1]) < 1) throw error;
        size = Number(limit[1]);
        continue;
      }
      if (myRun !== run) return null;
      for (var i = 0; i < page.edges.length; i++) loaded.push(page.edges[i].node);
      setConnection('connecting', 'Loading… ' + count(loaded.length) + ' tasks');
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    return loaded;
  }

  /** Reads where the feed is, loads every task page by page, then follows the feed from there. */
  async function start() {
    var myRun = ++run;
    if (feed) feed();
    feed = null;
    if (client) client.dispose();
    client = null;
    clearModel();
    lastEventId = null;
    schedule();
    setConnection('connecting', 'Loading…');
    try {
      var from = (await graphql('query BoardFeedPosition { lastEventId }')).lastEventId;
      var loaded = await loadAll(myRun);
      if (!loaded || myRun !== run) return;
      // One sort per column instead of one insertion per task.
      loaded.forEach(function (task) {
        prepare(task);
        tasks.set(task.id, task);
        countType(task.type, 1);
      });
      tasks.forEach(function (task) {
        if (columns[task.status]) columns[task.status].all.push(task);
      });
      STATUSES.forEach(function (status) {
        columns[status].all.sort(function (a, b) {
          return before(a, b) ? -1 : before(b, a) ? 1 : 0;
        });
      });
      lastEventId = from;
      stats.loads++;
      applyFilter();
    } catch (error) {
      // No key pasted yet: say what to do, not the signing protocol.
      if (myRun === run) setConnection('refused', error.reason === 'MissingAuthorization' ? 'Paste a key id and secret above, then press Sign with this key, to load the tasks' : 'Could not load the tasks: ' + error.message);
      return;
    }
    connect(myRun);
  }

  // ---- wiring ----------------------------------------------------------------------------

  STATUSES.forEach(function (status) {
    columns[status] = makeColumn(status);
  });
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
    /** The ids a column holds, in order (all of them, not only those on screen). */
    columnIds: function (status, shownOnly) {
      var column = columns[status];
      return (shownOnly ? column.shown : column.all).map(function (task) {
        return task.id;
      });
    },
    /** Scrolls a column so the task is in its window (for people following a link, and tests). */
    reveal: function (id) {
      var task = tasks.get(id);
      if (!task || !columns[task.status]) return false;
      var column = columns[task.status];
      var at = column.shown.indexOf(task);
      if (at < 0) return false;
      column.scroller.scrollTop = Math.max(0, at * ROW - column.scroller.clientHeight / 2);
      column.dirty = true;
      schedule();
      return true;
    },
  };
})();
