/**
 * The reference for `npm run bench`: the smallest CDK Pipelines app — a CodeCommit source, a synth step and one stage
 * with one bucket — so the full app's synth time is reported as a ratio to it, measured in the same run.
 */
import { App, Stack, Stage } from 'aws-cdk-lib';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { CodePipeline, CodePipelineSource, ShellStep } from 'aws-cdk-lib/pipelines';

const app = new App();
const pipelineStack = new Stack(app, 'BarePipeline');
const repository = codecommit.Repository.fromRepositoryName(pipelineStack, 'Repository', 'bare');
const pipeline = new CodePipeline(pipelineStack, 'Pipeline', {
  synth: new ShellStep('Synth', { input: CodePipelineSource.codeCommit(repository, 'main'), commands: ['npm ci', 'npx cdk synth'] }),
});
const stage = new Stage(pipelineStack, 'Stage');
new s3.Bucket(new Stack(stage, 'Bucket'), 'Bucket');
pipeline.addStage(stage);
app.synth();
