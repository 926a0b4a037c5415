// 403: signed in, but without the role the page needs (the admin pages call forbidden()).
import { ForbiddenBody } from "./components/status-pages";

export default function Forbidden() {
  return <ForbiddenBody />;
}
