import { expectedVersionOf, noneMatchHits } from '../../../src/legacy/request';

/** The HTTP status a header is refused with, or the version it asks for. */
function ifMatch(header: string | undefined): number | undefined | { refused: number } {
  try {
    return expectedVersionOf(header);
  } catch (error) {
    return { refused: (error as { status: number }).status };
  }
}

describe('reading If-Match as the version an update applies to', () => {
  it.each([
    ['"3"', 3],
    ['W/"3"', 3],
    ['3', 3],
    [' "12" ', 12],
    ['"999999999"', 999_999_999],
  ])('reads %p as version %p', (header, version) => {
    expect(ifMatch(header)).toBe(version);
  });

  it.each([
    ['no header at all', undefined],
    ['*', '*'],
    ['an empty header', ''],
    ['only commas', ' , ,'],
    ['a list with * in it', '"3", *'],
  ])('asks for no particular version with %s', (_what, header) => {
    expect(ifMatch(header)).toBeUndefined();
  });

  it.each([
    ['version 0, which no task has', '"0"'],
    ['a tag that is not a number', '"abc"'],
    ['a negative number', '-1'],
    ['a number too long to be a version', '"1234567890"'],
    ['a weak tag in lower case', 'w/"3"'],
  ])('answers 412 for %s: it can never match', (_what, header) => {
    expect(ifMatch(header)).toEqual({ refused: 412 });
  });

  it('tolerates a tag with one quote missing, as callers that build it by hand send', () => {
    expect(ifMatch('"3')).toBe(3);
    expect(ifMatch('3"')).toBe(3);
  });

  it('answers 400 for two versions at once: the caller must pick one', () => {
    expect(ifMatch('"3", "4"')).toEqual({ refused: 400 });
  });
});

describe('reading If-None-Match against the current ETag', () => {
  const etag = '"7"';
  it.each(['"7"', 'W/"7"', '7', '*', '"1", "7"', ' "2" ,W/"7"'])('hits on %p', (header) => {
    expect(noneMatchHits(header, etag)).toBe(true);
  });

  it.each([undefined, '', '"6"', '"77"', 'W/"8", "9"', '"7 "'])('misses on %p', (header) => {
    expect(noneMatchHits(header, etag)).toBe(false);
  });
});
