import type { IncomingMessage } from 'node:http';
import { type HttpReply, HttpService } from './json-service';

/** A role as `GetRole` tells it. */
export interface LocalRole {
  arn: string;
  /** The trust policy, as JSON. */
  trustPolicy: string;
  /** When the role was last assumed, if ever. */
  lastUsed?: Date;
}

const NS = 'https://iam.amazonaws.com/doc/2010-05-08/';

/**
 * A loopback stand-in for IAM's `GetRole` (AWS Query protocol: a form body, an XML answer), so the
 * real AWS SDK reaches it through `AWS_ENDPOINT_URL_IAM`. It knows the roles it is given.
 */
export class LocalIam extends HttpService {
  /** Roles by name. */
  readonly roles = new Map<string, LocalRole>();

  protected respond(_req: IncomingMessage, body: string): HttpReply {
    const form = new URLSearchParams(body);
    const action = form.get('Action') ?? '';
    if (action !== 'GetRole') return error(400, 'InvalidAction', `${action} is not emulated`);
    const name = form.get('RoleName') ?? '';
    const role = this.roles.get(name);
    if (!role) return error(404, 'NoSuchEntity', `The role with name ${name} cannot be found.`);
    const lastUsed = role.lastUsed
      ? `<RoleLastUsed><LastUsedDate>${role.lastUsed.toISOString()}</LastUsedDate><Region>us-east-1</Region></RoleLastUsed>`
      : '<RoleLastUsed/>';
    const xml =
      `<GetRoleResponse xmlns="${NS}"><GetRoleResult><Role><Path>/</Path>` +
      `<AssumeRolePolicyDocument>${encodeURIComponent(role.trustPolicy)}</AssumeRolePolicyDocument>` +
      `<RoleId>AROALOCAL</RoleId><RoleName>${xmlText(name)}</RoleName><Arn>${xmlText(role.arn)}</Arn>` +
      `<CreateDate>2026-01-01T00:00:00Z</CreateDate>${lastUsed}</Role></GetRoleResult>` +
      '<ResponseMetadata><RequestId>local</RequestId></ResponseMetadata></GetRoleResponse>';
    return { status: 200, contentType: 'text/xml', text: xml };
  }
}

function error(status: number, code: string, message: string): HttpReply {
  const xml =
    `<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>${code}</Code>` +
    `<Message>${xmlText(message)}</Message></Error><RequestId>local</RequestId></ErrorResponse>`;
  return { status, contentType: 'text/xml', text: xml };
}

function xmlText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
