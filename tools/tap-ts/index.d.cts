export declare const importLoader: string
export declare const preload: boolean
export declare const testFileExtensions: string[]
// adds nothing to the Test class: the plugin only loads TypeScript
export declare const plugin: () => {}
