export * from './pipeline-options';
export * from './pipeline-serializer';
