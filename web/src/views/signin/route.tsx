import { SignInForm } from "../../components/signin";
import type { ViewProps } from "../types";

export default function SignInView({ location }: ViewProps) {
  return <SignInForm next={location.query.get("next") ?? "/map"} />;
}
