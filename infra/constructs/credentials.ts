import { Validations } from 'aws-cdk-lib';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { PLACEHOLDER_API_KEY } from '../../lambdas/shared/visual-layer/placeholder';

/** Props of {@link VisualLayerCredentials}. */
export interface VisualLayerCredentialsProps {
  /**
   * Name or ARN of an existing secret that holds `{"apiKey","apiSecret"}` or a JWT.
   * @default a new secret holding a placeholder to replace
   */
  readonly existingSecretName?: string;
  /** An existing secret of the app (or imported), holding the same. @default a new secret */
  readonly existingSecret?: ISecret;
}

/**
 * Where the Visual Layer credentials live. A new secret starts as
 * `{"apiKey":"REPLACE_WITH_API_KEY","apiSecret":"<random>"}` and must be filled in after deploy.
 */
export class VisualLayerCredentials extends Construct {
  /** The secret. */
  readonly secret: ISecret;
  /**
   * What the functions pass to `GetSecretValue`: the ARN of a new secret, the configured name, or an
   * existing secret's full ARN (its name when its full ARN is not known: a partial ARN matches nothing).
   */
  readonly secretId: string;

  constructor(scope: Construct, id: string, props: VisualLayerCredentialsProps = {}) {
    super(scope, id);
    if (props.existingSecret) {
      this.secret = props.existingSecret;
      this.secretId = props.existingSecret.secretFullArn ?? props.existingSecret.secretName;
      return;
    }
    const existing = props.existingSecretName;
    if (existing) {
      this.secret = existing.startsWith('arn:')
        ? Secret.fromSecretCompleteArn(this, 'Existing', existing)
        : Secret.fromSecretNameV2(this, 'Existing', existing);
      this.secretId = existing;
      return;
    }
    const secret = new Secret(this, 'Secret', {
      description:
        'Visual Layer credentials for vl-ingest: JSON {"apiKey":"<API key>","apiSecret":"<API secret>"} ' +
        '(or {"jwt":"<token>"}). Replace the placeholder after deploy.',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ apiKey: PLACEHOLDER_API_KEY }),
        generateStringKey: 'apiSecret',
        excludePunctuation: true,
        passwordLength: 32,
      },
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SMG4',
      reason:
        'Visual Layer API keys are issued in its web app and cannot be rotated by a Lambda; rotate by putting ' +
        'a new value in the secret (docs/operations.md, "Rotate the credentials"), which the functions pick up without a redeploy.',
    });
    this.secret = secret;
    this.secretId = secret.secretArn;
  }
}
