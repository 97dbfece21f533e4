import { createUserRegisteredEvent } from '../core/events/user-registered.event';
import { toHookInput } from './hook-input';

describe('toHookInput', () => {
  const event = createUserRegisteredEvent({ tenant: 'acme', id: 'evt_1', user: { id: 'u1', email: 'ada@example.com' } });

  it('marks a test event in both script forms: context.test (Hooks) and event.test (Actions)', () => {
    const input = toHookInput({ ...event, id: 'test_1', test: true });
    expect(input.context.test).toBe(true);
    expect(input.actionsEvent.test).toBe(true);
    expect(input.eventId).toBe('test_1');
  });

  it('leaves a real registration without any test field', () => {
    const input = toHookInput(event);
    expect('test' in input.context).toBe(false);
    expect('test' in input.actionsEvent).toBe(false);
    expect(input.actionsEvent).toMatchObject({ transaction: { id: 'evt_1' }, user: { user_id: 'u1', email: 'ada@example.com' } });
  });
});
