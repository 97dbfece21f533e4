// An ES module: import and export default.
import axios from 'axios';

export default async function (user, context) {
  await axios.post(`${context.webtask.secrets.BASE_URL}/esm`, { email: user.email });
}
