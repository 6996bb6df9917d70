// Original file: proto/cortex/v1/common.proto


/**
 * A paging cursor shared by list RPCs: page_token is opaque, empty on the last page.
 */
export interface PageRequest {
  'page_size'?: (number);
  'page_token'?: (string);
}

/**
 * A paging cursor shared by list RPCs: page_token is opaque, empty on the last page.
 */
export interface PageRequest__Output {
  'page_size': (number);
  'page_token': (string);
}
