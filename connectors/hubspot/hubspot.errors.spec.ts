import { classifyHubSpotItemError, classifyHubSpotResponse, isSuccess, rateLimitWindowMs } from './hubspot.errors';

const apiError = (code: number, body: unknown, headers: Record<string, string> = {}) => Object.assign(new Error('x'), { code, body, headers });
const errorOf = (verdict: ReturnType<typeof classifyHubSpotResponse>) =>
  isSuccess(verdict) ? undefined : (verdict.error as Error & { retryable: boolean; retryAfterMs?: number; code: string });

describe('HubSpot outcome classification', () => {
  it.each([
    [400, { category: 'VALIDATION_ERROR', message: 'bad' }, false, 'HUBSPOT_REJECTED'],
    [401, { category: 'INVALID_AUTHENTICATION', message: 'no' }, false, 'HUBSPOT_UNAUTHORIZED'],
    [403, { category: 'MISSING_SCOPES', message: 'no' }, false, 'HUBSPOT_UNAUTHORIZED'],
    [404, { category: 'OBJECT_NOT_FOUND', message: 'no' }, false, 'HUBSPOT_REJECTED'],
    [429, { policyName: 'TEN_SECONDLY_ROLLING', message: 'slow down' }, true, 'RATE_LIMITED'],
    [500, { category: 'INTERNAL_ERROR' }, true, 'HUBSPOT_UNAVAILABLE'],
    [503, 'Service Unavailable', true, 'HUBSPOT_UNAVAILABLE'],
  ])('%i %j → retryable %s (%s)', (status, body, retryable, code) => {
    const error = errorOf(classifyHubSpotResponse(apiError(status, body)))!;
    expect(error.retryable).toBe(retryable);
    expect(error.code).toBe(code);
  });

  it('a network error is retryable', () => {
    const error = errorOf(classifyHubSpotResponse(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED', type: 'system' })))!;
    expect(error).toMatchObject({ retryable: true, code: 'HUBSPOT_UNREACHABLE' });
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('409 "Existing ID" is success by the existing record, whole-request or per item', () => {
    expect(classifyHubSpotResponse(apiError(409, { category: 'CONFLICT', message: 'Contact already exists. Existing ID: 77' }))).toEqual({
      detail: { hubspotId: '77', created: false, existing: true },
    });
    expect(isSuccess(classifyHubSpotItemError({ category: 'CONFLICT', message: 'Contact already exists. Existing ID: 8' }))).toBe(true);
  });

  it('per-item errors: validation is permanent, rate limits retryable', () => {
    expect(errorOf(classifyHubSpotItemError({ category: 'VALIDATION_ERROR', message: 'INVALID_EMAIL' }))!.retryable).toBe(false);
    expect(errorOf(classifyHubSpotItemError({ category: 'RATE_LIMITS', message: 'x' }))!.retryable).toBe(true);
  });

  describe('rateLimitWindowMs', () => {
    const now = Date.parse('2026-01-01T18:00:00Z');
    it.each([
      [{ 'retry-after': '7' }, {}, 7000],
      [{ 'x-hubspot-ratelimit-interval-milliseconds': '10000' }, { policyName: 'TEN_SECONDLY_ROLLING' }, 10_000],
      [{}, { policyName: 'SECONDLY' }, 1000],
      [{}, { policyName: 'DAILY' }, 6 * 3600_000],
      [{}, {}, 10_000],
    ])('%j %j → %i ms', (headers, body, expected) => {
      expect(rateLimitWindowMs(headers, body, now)).toBe(expected);
    });
  });
});
