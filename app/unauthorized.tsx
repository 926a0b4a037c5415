// 401: a page called unauthorized() for a visitor who is not signed in (Next.js's auth interrupts;
// without this file its own unstyled page would show).
import { UnauthorizedBody } from "./components/status-pages";

export default function Unauthorized() {
  return <UnauthorizedBody />;
}
