import { loadConfig } from '../../../src/config';
import { BadWord, isDocumentedWord, normaliseWord, parsePhase, parsePhaseOverrides, PhaseTable, wireWord } from '../../../src/tasks/status-words';
import { TaskStatus } from '../../../src/tasks/task-status';

describe('status words', () => {
  it('are stored in lower case, trimmed, with runs of spaces as one', () => {
    expect(normaliseWord('Dispatching')).toBe('dispatching');
    expect(normaliseWord('  Setting   Up ')).toBe('setting up');
    expect(normaliseWord('storage_created')).toBe('storage_created');
    expect(normaliseWord('step-2')).toBe('step-2');
  });

  it('keep the documented spellings: success is stored as sucess, in_progress as in progress', () => {
    expect(normaliseWord('success')).toBe('sucess');
    expect(normaliseWord('SUCESS')).toBe('sucess');
    expect(normaliseWord('in_progress')).toBe('in progress');
    expect(wireWord('sucess', false)).toBe('sucess');
    expect(wireWord('sucess', true)).toBe('success');
    expect(wireWord('provisioned', true)).toBe('provisioned');
  });

  it('refuse an empty word, one over 64 characters, and other characters, saying what to fix', () => {
    expect(() => normaliseWord('   ')).toThrow(new BadWord('give a status word (e.g. pending, dispatching, provisioned)'));
    expect(normaliseWord('x'.repeat(64))).toHaveLength(64);
    expect(() => normaliseWord('x'.repeat(65))).toThrow('a status word has at most 64 characters');
    for (const word of ['done!', 'a/b', 'tab\there', 'new\nline', 'café', 'émoji🙂', "o'clock", '%20']) {
      expect(() => normaliseWord(word)).toThrow(/is not a status word: use letters, digits, spaces, _ and -/);
    }
  });

  it('know the documented four in every accepted spelling', () => {
    for (const word of ['pending', 'in progress', 'in_progress', 'sucess', 'success', 'failed']) expect(isDocumentedWord(word)).toBe(true);
    for (const word of ['dispatching', 'error', 'done']) expect(isDocumentedWord(word)).toBe(false);
  });
});

describe('the phase table', () => {
  const table = new PhaseTable();

  it.each([
    ['pending', TaskStatus.PENDING],
    ['in progress', TaskStatus.IN_PROGRESS],
    ['sucess', TaskStatus.SUCCESS],
    ['failed', TaskStatus.FAILED],
    ['dispatching', TaskStatus.IN_PROGRESS],
    ['dispatched', TaskStatus.IN_PROGRESS],
    ['error', TaskStatus.FAILED],
    ['received', TaskStatus.IN_PROGRESS],
    ['setting up', TaskStatus.IN_PROGRESS],
    ['creating', TaskStatus.IN_PROGRESS],
    ['created', TaskStatus.IN_PROGRESS],
    ['provisioning', TaskStatus.IN_PROGRESS],
    ['provisioned', TaskStatus.SUCCESS],
    ['registering', TaskStatus.IN_PROGRESS],
    ['registered', TaskStatus.IN_PROGRESS],
    ['assigning_properties', TaskStatus.IN_PROGRESS],
    ['assigned_properties', TaskStatus.IN_PROGRESS],
    ['creating_storage', TaskStatus.IN_PROGRESS],
    ['storage_created', TaskStatus.SUCCESS],
  ])('puts %s in %s by default', (word, phase) => {
    expect(table.phaseOf(word)).toEqual({ phase, known: true });
  });

  it('puts an unknown word in the configured phase and says it was unknown', () => {
    expect(table.phaseOf('warming up')).toEqual({ phase: TaskStatus.IN_PROGRESS, known: false });
    expect(new PhaseTable(new Map(), TaskStatus.PENDING).phaseOf('warming up')).toEqual({ phase: TaskStatus.PENDING, known: false });
  });

  it('takes configured words over the built-in ones, never over the documented four', () => {
    const overrides = parsePhaseOverrides('queued=pending, Rolled Back = FAILED ,dispatched=Pending,,');
    expect([...overrides]).toEqual([
      ['queued', TaskStatus.PENDING],
      ['rolled back', TaskStatus.FAILED],
      ['dispatched', TaskStatus.PENDING],
    ]);
    const configured = new PhaseTable(overrides);
    expect(configured.phaseOf('dispatched')).toEqual({ phase: TaskStatus.PENDING, known: true });
    expect(configured.phaseOf('rolled back')).toEqual({ phase: TaskStatus.FAILED, known: true });
    expect(() => parsePhaseOverrides('failed=success')).toThrow('"failed" is one of the documented four; its phase cannot change');
    expect(() => parsePhaseOverrides('success=failed')).toThrow('"sucess" is one of the documented four');
    expect(() => parsePhaseOverrides('queued')).toThrow('entry 1 ("queued") is not word=phase');
    expect(() => parsePhaseOverrides('queued=later')).toThrow('"later" is not a phase: use pending, in_progress, success or failed');
    expect(() => parsePhaseOverrides('a!=pending')).toThrow(/is not a status word/);
  });

  it('reads phases in any of their spellings', () => {
    for (const name of ['in_progress', 'IN_PROGRESS', 'in progress', 'In-Progress']) expect(parsePhase(name)).toBe(TaskStatus.IN_PROGRESS);
    expect(parsePhase('sucess')).toBe(TaskStatus.SUCCESS);
    expect(parsePhase('Success')).toBe(TaskStatus.SUCCESS);
  });

  it('is configured through TASKGATE_STATUS_PHASES and TASKGATE_UNKNOWN_STATUS_PHASE, a bad entry naming the variable', () => {
    const config = loadConfig({ TASKGATE_STATUS_PHASES: 'queued=pending', TASKGATE_UNKNOWN_STATUS_PHASE: 'pending' });
    expect(config.statusWords).toEqual({ phases: new Map([['queued', TaskStatus.PENDING]]), unknownPhase: TaskStatus.PENDING });
    expect(loadConfig({}).statusWords).toEqual({ phases: new Map(), unknownPhase: TaskStatus.IN_PROGRESS });
    expect(() => loadConfig({ TASKGATE_STATUS_PHASES: 'pending=failed' })).toThrow(/TASKGATE_STATUS_PHASES: .*documented four/);
    expect(() => loadConfig({ TASKGATE_UNKNOWN_STATUS_PHASE: 'done' })).toThrow(/TASKGATE_UNKNOWN_STATUS_PHASE: .*not a phase/);
  });
});
