// @supabase/supabase-js: insert the new user's profile through PostgREST.
const { createClient } = require('@supabase/supabase-js');

module.exports = async function (user, context) {
  const supabase = createClient(context.webtask.secrets.BASE_URL + '/supabase', context.webtask.secrets.API_KEY, {
    auth: { persistSession: false, autoRefreshToken: false },
  });
  const { data, error } = await supabase.from('profiles').insert({ id: user.id, email: user.email, plan: user.app_metadata.plan }).select();
  if (error) throw new Error('supabase: ' + error.message);
  console.log('inserted', data[0].id);
};
