import { z } from 'zod';
import { createUserRegisteredEvent } from '../../core/events/user-registered.event';
import { compileTemplate, renderTree, TEMPLATE_LIMITS, templateField, templateScope, templateTreeField, TemplateSyntaxError } from './templates';

const escape = (v: string) => v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const event = createUserRegisteredEvent({
  tenant: 'acme',
  id: 'evt_1',
  user: { id: 'u1', email: 'ada@example.com', username: '<!channel>', user_metadata: { city: 'Zürich 🇨🇭', age: 36 } },
});
const scope = templateScope(event);
const render = (source: string, withEscape = false) => compileTemplate(source, withEscape ? { escape } : {}).render(scope);

describe('templates', () => {
  it.each([
    ['a field', '{{ user.email }}', 'ada@example.com'],
    ['a missing field renders empty', '[{{ user.phoneNumber }}][{{ user.user_metadata.nope.deeper }}]', '[][]'],
    ['default for a missing field', '{{ user.phoneNumber | default: "none" }}', 'none'],
    ['unicode passes through', '{{ user.user_metadata.city }} — ✓', 'Zürich 🇨🇭 — ✓'],
    ['numbers', '{{ user.user_metadata.age | plus: 1 }}', '37'],
    ['event and context', '{{ event.id }} {{ event.tenant }} {{ context.connection.name }}', 'evt_1 acme Username-Password-Authentication'],
    ['no prototype access', '[{{ user.constructor }}][{{ user.__proto__ }}][{{ user.hasOwnProperty }}]', '[][][]'],
  ])('%s', (_name, source, expected) => {
    expect(render(source)).toBe(expected);
  });

  it('escapes inserted values only, so the template\'s own mentions and links still work', () => {
    expect(render('<!here> {{ user.username }} & <https://x.io|site>', true)).toBe('<!here> &lt;!channel&gt; & <https://x.io|site>');
    expect(render('[{{ user.nope }}][{{ user.user_metadata.age }}]', true)).toBe('[][36]');
  });

  it('reports a syntax error or an unknown filter when compiled, not when rendered', () => {
    expect(() => compileTemplate('{{ user.email ')).toThrow(TemplateSyntaxError);
    expect(() => compileTemplate('{{ user.email | nope }}')).toThrow(/invalid template: undefined filter: nope/);
    expect(() => compileTemplate('x'.repeat(20_001))).toThrow(/longer than/);
  });

  it('stops a runaway template (memory limit) and reads no file', () => {
    expect(() => render('{% for i in (1..100000000) %}x{% endfor %}')).toThrow(/limit/);
    expect(() => render('{% include "/etc/passwd" %}')).toThrow(/Failed to lookup/);
  });

  it('renders once more when a pause of the whole process used up the render budget (wall-clock time)', () => {
    let pauses = 1;
    const user = { ...scope.user };
    Object.defineProperty(user, 'email', {
      enumerable: true,
      get() {
        // The first read stalls past the budget, as a long garbage collection or a busy machine would.
        if (pauses-- > 0) for (const end = performance.now() + TEMPLATE_LIMITS.renderLimitMs + 50; performance.now() < end; );
        return 'ada@example.com';
      },
    });
    expect(compileTemplate('{{ user.email }}!').render({ ...scope, user })).toBe('ada@example.com!');
    expect(pauses).toBe(-1); // rendered twice
  });

  it('templateField: a syntax error is an issue at the field path', () => {
    const schema = z.object({ text: templateField() });
    const parsed = schema.safeParse({ text: 'Hi {% if %}' });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0].path).toEqual(['text']);
    expect(parsed.error!.issues[0].message).toMatch(/^invalid template/);
  });

  it('templateTreeField: every string of a JSON tree is a template; errors name their path', () => {
    const tree = templateTreeField({ escape }).parse([{ type: 'section', text: { type: 'mrkdwn', text: '*{{ user.username }}*' }, n: 1 }]);
    expect(renderTree(tree, scope)).toEqual([{ type: 'section', text: { type: 'mrkdwn', text: '*&lt;!channel&gt;*' }, n: 1 }]);
    const bad = templateTreeField().safeParse([{ text: { text: '{{ oops' } }]);
    expect(bad.error!.issues[0].path).toEqual([0, 'text', 'text']);
  });
});
