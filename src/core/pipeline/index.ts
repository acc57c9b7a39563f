export * from './hashed-keys';
export * from './message-keys';
export * from './pipeline-options';
export * from './pipeline-serializer';
export * from './store-pipeline';
