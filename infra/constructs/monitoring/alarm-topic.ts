import { Validations } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { deploymentName } from '../deployment-name';

/** Props of {@link AlarmTopic}. */
export interface AlarmTopicProps {
  /** Key that encrypts the topic; CloudWatch must be allowed to use it. */
  readonly key: IKey;
  /** Subscribe this address to the topic. @default no subscription */
  readonly alarmEmail?: string;
}

/** The one SNS topic every alarm of the pipeline notifies: encrypted with the pipeline key, TLS only. */
export class AlarmTopic extends Construct {
  readonly topic: Topic;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    this.topic = new Topic(this, 'Topic', {
      // Alarm e-mails name the deployment they come from: one account may run several (stackName).
      displayName: `vl-ingest failures: ${deploymentName(this)}`.slice(0, 100),
      masterKey: props.key,
      enforceSSL: true,
    });
    if (props.alarmEmail) {
      this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
      Validations.of(this.topic).acknowledge({
        id: 'Serverless::Serverless-SNSRedrivePolicy',
        reason:
          'The only subscription is the e-mail address of alarmEmail; SNS retries e-mail delivery itself, and an ' +
          'undelivered alarm stays visible in CloudWatch.',
      });
    }
  }
}
